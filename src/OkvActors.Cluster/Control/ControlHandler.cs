using System.Runtime;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using OkvActors.Cluster.Audit;
using OkvActors.Cluster.Backup;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Hosting;
using OkvActors.Cluster.Inspection;
using OkvActors.Cluster.Load;
using OkvActors.Crypto.Keys;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Audit;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Vault;

namespace OkvActors.Cluster.Control;

/// <summary>
/// Every control command of a running node, for whichever transport carried it (see
/// <see cref="IControlHandler"/>). Node lifecycle goes to the controller singleton, wherever it runs,
/// through the node's proxy; key operations go through a <see cref="VaultSession"/> of the caller,
/// so they are authorised and audited under the caller's name. The inspection commands okvctl uses
/// (cluster, actor, log, keys, shards, replication, mode) are in ControlHandler.Inspection.cs.
/// </summary>
public sealed partial class ControlHandler : IControlHandler
{
    private readonly NodeHost _node;
    private readonly LogRing _logRing;
    private readonly ILoggingAdapter _log;

    public ControlHandler(NodeHost node, LogRing logRing)
    {
        _node = node;
        _logRing = logRing;
        _log = Logging.GetLogger(node.System, typeof(ControlHandler));
    }

    public async Task<ControlResponse> HandleAsync(ControlRequest request, Principal caller, CancellationToken cancellationToken = default)
    {
        try
        {
            return await Dispatch(request, caller);
        }
        catch (Exception e) when (e is ControlException or JsonException or FormatException or ArgumentException)
        {
            return ControlResponse.Refused(e.Message);
        }
        catch (AskTimeoutException)
        {
            return ControlResponse.Refused("the controller did not answer in time (is a majority of nodes up?)");
        }
        catch (Exception e)
        {
            // Whatever went wrong, the caller gets an answer rather than a silent hang-up.
            _log.Error(e, "Control request {0} failed", request.Command);
            return ControlResponse.Refused($"the node could not handle the request: {e.Message}");
        }
    }

    private Task<ControlResponse> Dispatch(ControlRequest request, Principal caller) => request.Command switch
    {
        "status" => Status(),
        "registry" => Registry(),
        "approve" or "node-approve" => Ask(caller, new ApproveCandidate(request.Arg("name"), request.Arg("fingerprint"),
            Convert.FromBase64String(request.Arg("publicKeyInfo")))),
        "subgroup-add" => Ask(caller, new AddSubgroup(request.Arg("name"))),
        "lifecycle" => Ask(caller, new ChangeNodeLifecycle(request.Arg("name"),
            Enum.TryParse<LifecycleAction>(request.Arg("action"), ignoreCase: true, out var action)
                ? action
                : throw new ControlException($"unknown lifecycle action '{request.Arg("action")}'"))),
        "certificate-revoke" => Ask(caller, new RevokeCertificate(request.Arg("fingerprint"), request.Optional("name") ?? "unnamed")),
        "key-create" => Vault(SessionOf(request, caller).CreateSymmetricKeyAsync(SymmetricKeyAlgorithm.Aes, 256, [request.Arg("name")],
            wallet: request.Optional("wallet"))),
        "key-register" => Vault(SessionOf(request, caller).RegisterAsync(ObjectType.SymmetricKey, KeyManager.Algorithms.Aes, 256,
            Convert.FromBase64String(request.Arg("material")), [request.Arg("name")], wallet: request.Optional("wallet"))),
        "key-get" => Vault(SessionOf(request, caller).GetAsync(request.Arg("uid"), Freshness(request))),
        "key-activate" => Vault(SessionOf(request, caller).ActivateAsync(request.Arg("uid"))),
        "key-revoke" => Vault(SessionOf(request, caller).RevokeAsync(request.Arg("uid"), RevocationReason.CessationOfOperation)),
        "key-destroy" => Vault(SessionOf(request, caller).DestroyAsync(request.Arg("uid"))),
        "key-encrypt" => Vault(SessionOf(request, caller).EncryptAsync(request.Arg("uid"), Convert.FromBase64String(request.Arg("data")))),
        "key-decrypt" => Vault(SessionOf(request, caller).DecryptAsync(request.Arg("uid"), Convert.FromBase64String(request.Arg("ciphertext")),
            Convert.FromBase64String(request.Arg("iv")))),
        "key-rename" => Vault(SessionOf(request, caller).RenameAsync(request.Arg("uid"), [request.Arg("name")])),
        "key-move" => Vault(SessionOf(request, caller).MoveAsync(request.Arg("uid"), request.Arg("wallet"))),
        "key-locate" => Locate(request, caller),
        "conflicts" or "conflicts-list" => Conflicts(request, caller),
        "access" => Access(),
        "audit-verify" => AuditVerify(),
        "audit-export" => AuditExportTo(Path.GetFullPath(request.Arg("out"))),
        "endpoint-add" => Vault(SessionOf(request, caller).AddEndpointAsync(request.Arg("name"), request.Arg("fingerprint"), request.Optional("defaultWallet"))),
        "endpoint-remove" => Vault(SessionOf(request, caller).RemoveEndpointAsync(request.Arg("name"))),
        "wallet-create" => Vault(SessionOf(request, caller).CreateWalletAsync(request.Arg("name"), request.Optional("description") ?? "")),
        "wallet-delete" => Vault(SessionOf(request, caller).DeleteWalletAsync(request.Arg("name"))),
        "grant" => Vault(SessionOf(request, caller).GrantAsync(request.Arg("endpoint"), request.Arg("wallet"), ParseLevel(request.Arg("level")))),
        "shards" => Shards(),
        "load" => Load(LoadRequest.Parse(request.Args)),
        "passphrase-change" => PassphraseChange(request, caller),
        "secrets-show" => SecretsShow(),
        "kek-rotate" => KekRotate(request, caller),
        "kek-status" => KekStatus(),
        "backup" => Backup(request.Arg("out"), caller),
        "backup-status" => BackupStatus(),
        _ => Inspect(request, caller),
    };

    /// <summary>
    /// The local operator, or (with "as") a registered endpoint: lets an operator check what an endpoint
    /// may see and do, through exactly the rules its KMIP or REST connection meets.
    /// </summary>
    private VaultSession SessionOf(ControlRequest request, Principal caller) =>
        _node.SessionFor(request.Optional("as") is { } endpoint ? new Principal.Endpoint(endpoint) : caller);

    private static AccessLevel? ParseLevel(string level) => level switch
    {
        "read-only" => AccessLevel.ReadOnly,
        "read-modify" => AccessLevel.ReadModify,
        "manage" => AccessLevel.Manage,
        "none" => null,
        _ => throw new ControlException($"unknown access level '{level}' (read-only, read-modify, manage or none)"),
    };

    private static string LevelName(AccessLevel level) => level switch
    {
        AccessLevel.ReadOnly => "read-only",
        AccessLevel.ReadModify => "read-modify",
        _ => "manage",
    };

    private async Task<ControlResponse> Access()
    {
        var registry = await _node.Vault.AccessAsync();
        return ControlResponse.Done($"{registry.LiveEndpoints.Count()} endpoint(s), {registry.LiveWallets.Count()} wallet(s)", new JsonObject
        {
            ["endpoints"] = new JsonArray(registry.LiveEndpoints.Select(e => (JsonNode)new JsonObject
            {
                ["name"] = e.Name,
                ["fingerprint"] = e.Fingerprint,
                ["defaultWallet"] = e.DefaultWallet,
            }).ToArray()),
            ["wallets"] = new JsonArray(registry.LiveWallets.Select(w => (JsonNode)new JsonObject
            {
                ["name"] = w.Name,
                ["description"] = w.Description,
            }).ToArray()),
            ["grants"] = new JsonArray(registry.LiveGrants.Select(g => (JsonNode)new JsonObject
            {
                ["endpoint"] = g.Endpoint,
                ["wallet"] = g.Wallet,
                ["level"] = LevelName(g.Level),
            }).ToArray()),
        });
    }

    /// <summary>Key store replies as control answers: metadata only, never key material.</summary>
    private static async Task<ControlResponse> Vault(Task<IVaultReply> call) => await call switch
    {
        ObjectStored stored => ControlResponse.Done($"stored {stored.Object}", Describe(stored.Object)),
        ObjectFound found => ControlResponse.Done($"{found.Object}", Describe(found.Object)),
        ObjectNotFound missing => ControlResponse.Refused($"no object {missing.Uid}"),
        TransitionRefused refused => ControlResponse.Refused(refused.Reason),
        WriteRefused refused => new ControlResponse(false, refused.Reason, new JsonObject { ["restricted"] = refused.Restricted }),
        Encrypted encrypted => ControlResponse.Done($"encrypted with {encrypted.Uid}", new JsonObject
        {
            ["ciphertext"] = Convert.ToBase64String(encrypted.Ciphertext),
            ["iv"] = Convert.ToBase64String(encrypted.Iv),
        }),
        Decrypted decrypted => ControlResponse.Done($"decrypted with {decrypted.Uid}", new JsonObject { ["data"] = Convert.ToBase64String(decrypted.Plaintext) }),
        OperationRefused refused => ControlResponse.Refused(refused.Reason),
        AccessDenied denied => new ControlResponse(false, $"access denied: {denied.Reason}", new JsonObject { ["denied"] = true }),
        AccessChanged => ControlResponse.Done("access changed"),
        AccessChangeRefused refused => ControlResponse.Refused(refused.Reason),
        var other => ControlResponse.Refused($"unexpected key store reply {other.GetType().Name}"),
    };

    private static JsonObject Describe(ManagedObject o) => new()
    {
        ["uid"] = o.Uid,
        ["type"] = o.Type.ToString(),
        ["algorithm"] = o.Algorithm,
        ["length"] = o.Length,
        ["state"] = o.State.ToString(),
        ["names"] = new JsonArray(o.Names.Value.Select(n => (JsonNode)n).ToArray()),
        ["creator"] = o.Creator,
        ["initialDate"] = o.InitialDate,
        ["hasMaterial"] = o.WrappedMaterial is not null,
        ["wallet"] = o.Wallet.Value,
    };

    /// <summary>key-get reads the latest a majority holds unless asked for this node's replica (freshness=local), e.g. to see when a write arrived here.</summary>
    private static ReadFreshness Freshness(ControlRequest request) =>
        request.Optional("freshness") switch
        {
            null or "latest" => ReadFreshness.Latest,
            "local" => ReadFreshness.Local,
            var other => throw new ControlException($"freshness must be latest or local, not '{other}'"),
        };

    /// <summary>
    /// Creates keys through this node's KeyManager, the path an embedding host takes, and reports throughput and
    /// latency (the benchmarks' load generator drives it). The keys are real (AES-256, Pre-Active, named PREFIX-N):
    /// run it on clusters meant for measuring.
    /// </summary>
    private async Task<ControlResponse> Load(LoadRequest load)
    {
        _log.Info("Control: load of {0} creations (concurrency {1}, rate {2})", load.Count, load.Concurrency, load.Rate?.ToString() ?? "unpaced");
        var result = await LoadRunner.RunAsync(load,
            i => _node.Keys.CreateSymmetricKeyAsync(SymmetricKeyAlgorithm.Aes, 256, [$"{load.Prefix}-{i}"]), CancellationToken.None);
        _log.Info("Control: load done: {0}", result);
        return ControlResponse.Done(result.ToString(), ControlJson.ToNode(result));
    }

    private async Task<ControlResponse> Locate(ControlRequest request, Principal caller)
    {
        var filter = new LocateFilter(
            Name: request.Optional("name"),
            Type: request.Optional("type") is { } type ? Enum.Parse<ObjectType>(type, ignoreCase: true) : null,
            State: request.Optional("state") is { } state ? Enum.Parse<LifecycleState>(state, ignoreCase: true) : null,
            Wallet: request.Optional("wallet"),
            Offset: int.TryParse(request.Optional("offset"), out var offset) ? offset : 0,
            MaxItems: int.TryParse(request.Optional("max"), out var max) ? max : int.MaxValue);
        var found = await SessionOf(request, caller).LocateAsync(filter);
        return ControlResponse.Done($"{found.Count} object(s)", new JsonObject
        {
            ["uids"] = new JsonArray(found.Select(o => (JsonNode)o.Uid).ToArray()),
        });
    }

    private async Task<ControlResponse> Conflicts(ControlRequest request, Principal caller)
    {
        var conflicts = await SessionOf(request, caller).ConflictsAsync();
        return ControlResponse.Done($"{conflicts.Count} name conflict(s)", new JsonObject
        {
            ["conflicts"] = new JsonArray(conflicts.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["uids"] = new JsonArray(c.Uids.Select(u => (JsonNode)u).ToArray()),
            }).ToArray()),
        });
    }

    private async Task<ControlResponse> Shards()
    {
        var digests = await ShardInspector.DigestsAsync(_node.System, _node.Settings.AskTimeout);
        return ControlResponse.Done($"{digests.Count} shard(s), {digests.Sum(d => d.Objects)} object(s)", new JsonObject
        {
            ["shards"] = new JsonArray(digests.Select(d => (JsonNode)new JsonObject
            {
                ["key"] = d.Key,
                ["objects"] = d.Objects,
                ["digest"] = d.Digest,
            }).ToArray()),
        });
    }

    private async Task<ControlResponse> Status()
    {
        var mode = await _node.Vault.ModeAsync();
        var pacing = await _node.Vault.PacingAsync();
        var fanOut = await _node.Vault.FanOutAsync();
        var cluster = _node.Cluster;
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var oldestUp = state.Members.Where(m => m.Status == MemberStatus.Up).OrderBy(m => m, Member.AgeOrdering).FirstOrDefault();
        var data = new JsonObject
        {
            ["cluster"] = _node.Manifest.Cluster,
            ["name"] = _node.Manifest.Name,
            ["subgroup"] = _node.Manifest.Subgroup,
            ["self"] = cluster.SelfAddress.ToString(),
            ["pid"] = Environment.ProcessId,
            ["gc"] = ControlJson.ToNode(GcActivity.Now()),
            ["jit"] = ControlJson.ToNode(JitActivity.Now()),
            ["heapBytes"] = GC.GetTotalMemory(forceFullCollection: false),
            ["gcLatencyMode"] = GCSettings.LatencyMode.ToString(),
            ["gcGen0MaxBudgetBytes"] = GC.GetConfigurationVariables().TryGetValue("GCGen0MaxBudget", out var gen0) ? ControlJson.ToNode(gen0) : null,
            ["selfStatus"] = cluster.SelfMember.Status.ToString(),
            ["leader"] = state.Leader?.ToString(),
            ["controller"] = oldestUp?.Address.ToString(),
            ["revocations"] = _node.Revocations.Count,
            ["mode"] = mode.Restricted ? "restricted" : "normal",
            ["modeReason"] = mode.Reason,
            ["replication"] = new JsonObject
            {
                ["paced"] = pacing.Paced,
                ["deltaRounds"] = pacing.Paced ? pacing.DeltaRate.ToString().ToLowerInvariant() : "unpaced",
                ["gossip"] = pacing.Paced ? (pacing.GossipCatchingUp ? "catching-up" : "idle") : "unpaced",
                ["deltaRoundsSent"] = pacing.DeltaRounds,
                ["gossipRoundsSent"] = pacing.GossipRounds,
                ["laggingPeers"] = new JsonArray(fanOut.Lagging.Select(a => (JsonNode)a).ToArray()),
                ["openWrites"] = fanOut.OpenWrites,
            },
            ["sealedSecretsGeneration"] = (await LocalSecrets()).FileGeneration,
            ["kekId"] = _node.KekId,
            ["kekGeneration"] = _node.KekGeneration,
            ["kekRotating"] = _node.Keks.Keys.Count > 1,
            ["members"] = new JsonArray(state.Members.OrderBy(m => m, Member.AgeOrdering).Select(m => (JsonNode)new JsonObject
            {
                ["address"] = m.Address.ToString(),
                ["status"] = m.Status.ToString(),
                ["roles"] = new JsonArray(m.Roles.Select(r => (JsonNode)r).ToArray()),
                ["reachable"] = !unreachable.Contains(m.Address),
            }).ToArray()),
        };
        data["backup"] = await BackupStatusOrNull();
        return ControlResponse.Done($"{state.Members.Count} member(s)", data);
    }

    private async Task<ControlResponse> Registry()
    {
        var snapshot = await _node.ControllerProxy.Ask<RegistrySnapshot>(GetRegistry.Instance, _node.Settings.AskTimeout);
        var data = ControlJson.ToNode(snapshot.State)!.AsObject();
        data["controller"] = snapshot.ControllerAddress;
        return ControlResponse.Done($"registry v{snapshot.State.Version}", data);
    }

    private async Task<ControlResponse> Ask(Principal caller, IControllerCommand command)
    {
        var reply = await _node.ControllerProxy.Ask<IControllerReply>(command, _node.Settings.AskTimeout);
        _log.Info("Control: {0} -> {1}", command.GetType().Name, reply.GetType().Name);
        var (result, detail) = reply switch
        {
            CommandAccepted accepted => ("success", accepted.What),
            CommandRejected rejected => ("refused", rejected.Reason),
            _ => ("error", reply.GetType().Name),
        };
        await _node.Audit.RecordAsync(new AuditEvent(caller.Name, command.GetType().Name, null, result, detail));
        return reply switch
        {
            CommandAccepted accepted => ControlResponse.Done(accepted.What, new JsonObject { ["version"] = accepted.State.Version }),
            CommandRejected rejected => ControlResponse.Refused(rejected.Reason),
            _ => ControlResponse.Refused($"unexpected controller reply {reply.GetType().Name}"),
        };
    }

    private async Task<ControlResponse> AuditVerify()
    {
        var verdict = await _node.AuditLog.Ask<IAuditVerification>(VerifyAudit.Instance, _node.Settings.AskTimeout);
        return verdict switch
        {
            AuditChainValid valid => ControlResponse.Done($"audit chain intact: {valid.Entries} entries", new JsonObject
            {
                ["valid"] = true,
                ["entries"] = valid.Entries,
                ["head"] = valid.Head.Hash,
            }),
            AuditChainBroken broken => new ControlResponse(false, $"audit chain broken at entry {broken.Sequence} ({broken.Break}): {broken.Reason}",
                new JsonObject { ["valid"] = false, ["sequence"] = broken.Sequence, ["break"] = broken.Break.ToString() }),
            _ => ControlResponse.Refused($"unexpected audit reply {verdict.GetType().Name}"),
        };
    }

    private async Task<ControlResponse> AuditExportTo(string path)
    {
        var count = await AuditExport.WriteJsonLinesAsync(_node.AuditLog, path, _node.Settings.AskTimeout);
        return ControlResponse.Done($"exported {count} audit entries to {path}", new JsonObject { ["entries"] = count, ["path"] = path });
    }
}
