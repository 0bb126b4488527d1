using OkvActors.Pki.Certificates;

namespace OkvActors.Cluster.Controller;

/// <summary>The outcome of applying a command to the registry: a new state, or a refusal that changes nothing.</summary>
public sealed record RuleOutcome(ControllerState? NewState, string What, AdmissionRefusal? Refusal = null)
{
    public bool Accepted => NewState is not null;

    public static RuleOutcome Accept(ControllerState state, string what) => new(state, what);

    public static RuleOutcome Reject(string reason, AdmissionRefusal? refusal = null) => new(null, reason, refusal);
}

/// <summary>
/// The controller's policy as pure functions of (state, command, now): admission checks and node
/// lifecycle. The actor only sequences them and makes the result durable.
/// </summary>
public static class ControllerRules
{
    public static RuleOutcome Approve(ControllerState state, ApproveCandidate command, DateTimeOffset now, string writer)
    {
        var fingerprint = Fingerprint.Normalize(command.Fingerprint);
        if (!NodeNames.IsValid(command.Name))
        {
            return RuleOutcome.Reject($"'{command.Name}' is not a valid node name");
        }

        if (state.IsRevoked(fingerprint))
        {
            return RuleOutcome.Reject($"fingerprint {Fingerprint.Short(fingerprint)} is revoked; the candidate must make a new key with `okv candidate`");
        }

        var existing = state.Node(command.Name);
        if (existing is not null && existing.Fingerprint != fingerprint)
        {
            return RuleOutcome.Reject(
                $"node name '{command.Name}' is already taken (state {existing.State}); node names are never reused: pick another name");
        }

        var other = state.Approvals.FirstOrDefault(a => a.Fingerprint == fingerprint && a.Name != command.Name);
        if (other is not null)
        {
            return RuleOutcome.Reject($"fingerprint {Fingerprint.Short(fingerprint)} is already approved for node '{other.Name}'");
        }

        if (state.Approvals.Any(a => a.Name == command.Name && a.Fingerprint != fingerprint))
        {
            return RuleOutcome.Reject(
                $"another CSR is already approved for node name '{command.Name}'; pick another name");
        }

        var approval = new Approval(fingerprint, command.Name, command.PublicKeyInfo, now);
        return RuleOutcome.Accept(
            state.Next(writer, s => s with { Approvals = s.Approvals.Where(a => a.Fingerprint != fingerprint).Append(approval).ToArray() }),
            $"approved CSR {Fingerprint.Short(fingerprint)} for node '{command.Name}'");
    }

    public static RuleOutcome Admit(ControllerState state, RequestAdmission request, string softwareVersion, DateTimeOffset now,
        string writer)
    {
        var fingerprint = Fingerprint.Normalize(request.Fingerprint);
        var policy = state.Policy;
        if (state.IsRevoked(fingerprint))
        {
            return RuleOutcome.Reject("this node's certificate has been revoked; it cannot rejoin", AdmissionRefusal.Revoked);
        }

        var approval = state.ApprovalOf(fingerprint);
        if (approval is null)
        {
            return RuleOutcome.Reject(
                $"fingerprint {fingerprint} is not approved; have an operator run `okv admit` with this node's CSR on the controller",
                AdmissionRefusal.NotApproved);
        }

        if (approval.Name != request.Name)
        {
            return RuleOutcome.Reject(
                $"the approved CSR is for node '{approval.Name}', not '{request.Name}'", AdmissionRefusal.NotApproved);
        }

        if (request.SoftwareVersion != softwareVersion)
        {
            return RuleOutcome.Reject(
                $"software version {request.SoftwareVersion} differs from the cluster's {softwareVersion}; install {softwareVersion} on the candidate",
                AdmissionRefusal.VersionMismatch);
        }

        var skew = (request.CandidateClock - now).Duration();
        if (skew > policy.MaxClockSkew)
        {
            return RuleOutcome.Reject(
                $"clock differs from the controller's by {skew.TotalSeconds:0.0}s (at most {policy.MaxClockSkew.TotalSeconds:0.0}s allowed); sync the candidate's clock (NTP) and retry",
                AdmissionRefusal.ClockSkew);
        }

        var existing = state.Node(request.Name);
        if (existing is not null && existing.Fingerprint != fingerprint)
        {
            return RuleOutcome.Reject($"node name '{request.Name}' is already taken; node names are never reused",
                AdmissionRefusal.DuplicateName);
        }

        if (existing is { State: NodeState.Disabled })
        {
            return RuleOutcome.Reject(
                $"node '{request.Name}' is disabled; an operator must enable it on the controller (`okv node enable`) first",
                AdmissionRefusal.Disabled);
        }

        if (existing is { State: NodeState.Active } && existing.Address != request.Address)
        {
            return RuleOutcome.Reject($"node '{request.Name}' is already active at {existing.Address}", AdmissionRefusal.DuplicateName);
        }

        if (!policy.Subgroups.Contains(request.Subgroup))
        {
            return RuleOutcome.Reject(
                $"subgroup '{request.Subgroup}' does not exist (known: {string.Join(", ", policy.Subgroups)}); add it on the controller with `okv subgroup add` first",
                AdmissionRefusal.UnknownSubgroup);
        }

        if (existing is { Subgroup: var subgroup } && subgroup != request.Subgroup)
        {
            return RuleOutcome.Reject($"node '{request.Name}' belongs to subgroup '{subgroup}' for life", AdmissionRefusal.UnknownSubgroup);
        }

        if (existing is not { State: NodeState.Active } && state.Members >= policy.MaxNodes)
        {
            return RuleOutcome.Reject(
                $"the cluster already has {state.Members} of at most {policy.MaxNodes} nodes; remove a node first",
                AdmissionRefusal.ClusterFull);
        }

        var node = new NodeRecord(request.Name, request.Subgroup, NodeState.Active, fingerprint, request.Address, request.SoftwareVersion, now);
        return RuleOutcome.Accept(state.Next(writer, s => s.WithNode(node)), $"admitted node '{request.Name}' at {request.Address}");
    }

    /// <summary>
    /// An admitted node takes its admission back after its conversion failed: only an active node, only the one
    /// holding the approved key (the signature), only recently signed (within the clock-skew bound, so a captured
    /// withdrawal can't be replayed later), never the last active node. The approval stays for a later retry.
    /// </summary>
    public static RuleOutcome Withdraw(ControllerState state, WithdrawAdmission command, DateTimeOffset now, string writer)
    {
        var fingerprint = Fingerprint.Normalize(command.Fingerprint);
        var node = state.Node(command.Name);
        if (node is null)
        {
            return RuleOutcome.Reject($"no node named '{command.Name}' in the registry: nothing to withdraw");
        }

        if (node.Fingerprint != fingerprint)
        {
            return RuleOutcome.Reject($"node '{command.Name}' was admitted with another certificate; it can't be withdrawn with this one");
        }

        if (state.ApprovalOf(fingerprint) is not { } approval || !SignedBy(approval.PublicKeyInfo, command))
        {
            return RuleOutcome.Reject($"the withdrawal of node '{command.Name}' is not signed by its approved key");
        }

        // A candidate asks again when its first ask timed out after the controller had acted on it: the same answer.
        if (node.State == NodeState.Withdrawn)
        {
            return RuleOutcome.Accept(state, $"node '{command.Name}' had already withdrawn its admission");
        }

        if (node.State != NodeState.Active)
        {
            return RuleOutcome.Reject($"node '{command.Name}' is {node.State}; only an active node can withdraw its admission");
        }

        if (state.Nodes.Count(n => n.State == NodeState.Active) <= 1)
        {
            return RuleOutcome.Reject($"node '{command.Name}' is the last active node");
        }

        var skew = (command.SignedAt - now).Duration();
        if (skew > state.Policy.MaxClockSkew)
        {
            return RuleOutcome.Reject(
                $"the withdrawal was signed {skew.TotalSeconds:0.0}s away from the controller's clock (at most {state.Policy.MaxClockSkew.TotalSeconds:0.0}s allowed)");
        }

        var withdrawn = node with { State = NodeState.Withdrawn, Since = now };
        return RuleOutcome.Accept(state.Next(writer, s => s.WithNode(withdrawn)),
            $"node '{command.Name}' withdrew its admission ({command.Reason}); the same candidate may join again");
    }

    private static bool SignedBy(byte[] publicKeyInfo, WithdrawAdmission command)
    {
        try
        {
            using var key = System.Security.Cryptography.ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(publicKeyInfo, out _);
            return key.VerifyData(WithdrawAdmission.SignedText(command.Name, Fingerprint.Normalize(command.Fingerprint), command.Reason, command.SignedAt),
                command.Signature, System.Security.Cryptography.HashAlgorithmName.SHA256);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    public static RuleOutcome AddSubgroup(ControllerState state, AddSubgroup command, string writer)
    {
        if (!NodeNames.IsValid(command.Name))
        {
            return RuleOutcome.Reject($"'{command.Name}' is not a valid subgroup name");
        }

        if (state.Policy.Subgroups.Contains(command.Name))
        {
            return RuleOutcome.Reject($"subgroup '{command.Name}' already exists");
        }

        return RuleOutcome.Accept(
            state.Next(writer, s => s with { Policy = s.Policy with { Subgroups = s.Policy.Subgroups.Append(command.Name).ToArray() } }),
            $"added subgroup '{command.Name}'");
    }

    public static RuleOutcome ChangeLifecycle(ControllerState state, ChangeNodeLifecycle command, DateTimeOffset now, string writer)
    {
        var node = state.Node(command.Name);
        if (node is null)
        {
            return RuleOutcome.Reject($"no node named '{command.Name}' in the registry");
        }

        if (node.IsGone)
        {
            return RuleOutcome.Reject($"node '{command.Name}' is already {node.State}; a removed node never comes back");
        }

        var active = state.Nodes.Count(n => n.State == NodeState.Active);
        switch (command.Action)
        {
            case LifecycleAction.Disable when node.State != NodeState.Active:
                return RuleOutcome.Reject($"node '{command.Name}' is {node.State}, only an active node can be disabled");
            case LifecycleAction.Disable or LifecycleAction.Remove when node.State == NodeState.Active && active <= 1:
                return RuleOutcome.Reject($"node '{command.Name}' is the last active node");
            case LifecycleAction.Enable when node.State != NodeState.Disabled:
                return RuleOutcome.Reject($"node '{command.Name}' is {node.State}, only a disabled node can be enabled");
            case LifecycleAction.Enable when now - node.Since > state.Policy.MaxDisableDuration:
                return RuleOutcome.Reject(
                    $"node '{command.Name}' has been disabled longer than {state.Policy.MaxDisableDuration}; its data is too old: remove it and add it again as a new node");
        }

        var (newState, what) = command.Action switch
        {
            LifecycleAction.Disable => (NodeState.Disabled, "disabled"),
            LifecycleAction.Enable => (NodeState.Active, "enabled"),
            LifecycleAction.Remove => (NodeState.Removed, "removed"),
            _ => (NodeState.ForceRemoved, "force-removed"),
        };
        var changed = state.Next(writer, s =>
        {
            var next = s.WithNode(node with { State = newState, Since = now });
            if (newState is NodeState.Removed or NodeState.ForceRemoved)
            {
                next = next with
                {
                    Revocations = next.Revocations.Append(new Revocation(node.Fingerprint, node.Name, what, now)).ToArray(),
                    Approvals = next.Approvals.Where(a => a.Fingerprint != node.Fingerprint).ToArray(),
                };
            }

            return next;
        });
        return RuleOutcome.Accept(changed, $"node '{command.Name}' {what}");
    }

    public static RuleOutcome RevokeCertificate(ControllerState state, RevokeCertificate command, DateTimeOffset now, string writer)
    {
        var fingerprint = Fingerprint.Normalize(command.Fingerprint);
        if (fingerprint.Length != 64 || !fingerprint.All(char.IsAsciiHexDigit))
        {
            return RuleOutcome.Reject($"'{command.Fingerprint}' is not a certificate fingerprint (64 hex digits, SHA-256 of the public key)");
        }

        if (state.IsRevoked(fingerprint))
        {
            return RuleOutcome.Reject($"fingerprint {Fingerprint.Short(fingerprint)} is already revoked");
        }

        if (state.Nodes.FirstOrDefault(n => n.Fingerprint == fingerprint) is { } node)
        {
            return RuleOutcome.Reject($"fingerprint {Fingerprint.Short(fingerprint)} is node '{node.Name}''s; remove the node to revoke its certificate");
        }

        return RuleOutcome.Accept(
            state.Next(writer, s => s with { Revocations = s.Revocations.Append(new Revocation(fingerprint, command.Name, "revoked", now)).ToArray() }),
            $"certificate {Fingerprint.Short(fingerprint)} of '{command.Name}' revoked");
    }
}
