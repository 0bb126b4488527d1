using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using OkvActors.Cluster.Audit;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Hosting;
using OkvActors.Crypto.Keys;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Audit;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Vault;

namespace OkvActors.Cluster.Control;

/// <summary>
/// The node's local administration socket (control.sock in its data directory, owner-only). The
/// `okv` verbs that act on a running node (admit, node lifecycle, status) talk to it; the work is
/// done by the controller singleton, wherever it runs, through the node's proxy.
/// </summary>
public sealed class ControlServer : IAsyncDisposable
{
    private readonly NodeHost _node;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ILoggingAdapter _log;

    private ControlServer(NodeHost node)
    {
        _node = node;
        _log = Logging.GetLogger(node.System, typeof(ControlServer));
        var path = node.Directory.ControlSocket;
        File.Delete(path);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        _listener.Listen(16);
        _loop = AcceptLoop();
    }

    public static ControlServer Start(NodeHost node) => new(node);

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = Serve(connection);
        }
    }

    private async Task Serve(Socket connection)
    {
        using var _ = connection;
        await using var stream = new NetworkStream(connection, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        ControlResponse response;
        try
        {
            var line = await reader.ReadLineAsync(_stop.Token);
            var request = line is null ? null : JsonSerializer.Deserialize<ControlRequest>(line, ControlJson.Options);
            response = request is null ? ControlResponse.Refused("empty request") : await Handle(request);
        }
        catch (Exception e) when (e is ControlException or JsonException or FormatException)
        {
            response = ControlResponse.Refused(e.Message);
        }
        catch (AskTimeoutException)
        {
            response = ControlResponse.Refused("the controller did not answer in time (is a majority of nodes up?)");
        }
        catch (Exception e)
        {
            // Whatever went wrong, the caller gets an answer rather than a silent hang-up.
            _log.Error(e, "Control request failed");
            response = ControlResponse.Refused($"the node could not handle the request: {e.Message}");
        }

        var answer = JsonSerializer.Serialize(response, ControlJson.Options) + "\n";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(answer));
    }

    private Task<ControlResponse> Handle(ControlRequest request) => request.Command switch
    {
        "status" => Status(),
        "registry" => Registry(),
        "approve" => Ask(new ApproveCandidate(request.Arg("name"), request.Arg("fingerprint"),
            Convert.FromBase64String(request.Arg("publicKeyInfo")))),
        "subgroup-add" => Ask(new AddSubgroup(request.Arg("name"))),
        "lifecycle" => Ask(new ChangeNodeLifecycle(request.Arg("name"),
            Enum.TryParse<LifecycleAction>(request.Arg("action"), ignoreCase: true, out var action)
                ? action
                : throw new ControlException($"unknown lifecycle action '{request.Arg("action")}'"))),
        "key-create" => Vault(SessionOf(request).CreateSymmetricKeyAsync(SymmetricKeyAlgorithm.Aes, 256, [request.Arg("name")],
            wallet: request.Optional("wallet"))),
        "key-register" => Vault(SessionOf(request).RegisterAsync(ObjectType.SymmetricKey, KeyManager.Algorithms.Aes, 256,
            Convert.FromBase64String(request.Arg("material")), [request.Arg("name")], wallet: request.Optional("wallet"))),
        "key-get" => Vault(SessionOf(request).GetAsync(request.Arg("uid"))),
        "key-activate" => Vault(SessionOf(request).ActivateAsync(request.Arg("uid"))),
        "key-revoke" => Vault(SessionOf(request).RevokeAsync(request.Arg("uid"), RevocationReason.CessationOfOperation)),
        "key-destroy" => Vault(SessionOf(request).DestroyAsync(request.Arg("uid"))),
        "key-encrypt" => Vault(SessionOf(request).EncryptAsync(request.Arg("uid"), Convert.FromBase64String(request.Arg("data")))),
        "key-decrypt" => Vault(SessionOf(request).DecryptAsync(request.Arg("uid"), Convert.FromBase64String(request.Arg("ciphertext")),
            Convert.FromBase64String(request.Arg("iv")))),
        "key-rename" => Vault(SessionOf(request).RenameAsync(request.Arg("uid"), [request.Arg("name")])),
        "key-move" => Vault(SessionOf(request).MoveAsync(request.Arg("uid"), request.Arg("wallet"))),
        "key-locate" => Locate(request),
        "conflicts" => Conflicts(request),
        "access" => Access(),
        "audit-verify" => AuditVerify(),
        "audit-export" => AuditExportTo(Path.GetFullPath(request.Arg("out"))),
        "endpoint-add" => Vault(SessionOf(request).AddEndpointAsync(request.Arg("name"), request.Arg("fingerprint"), request.Optional("defaultWallet"))),
        "endpoint-remove" => Vault(SessionOf(request).RemoveEndpointAsync(request.Arg("name"))),
        "wallet-create" => Vault(SessionOf(request).CreateWalletAsync(request.Arg("name"), request.Optional("description") ?? "")),
        "wallet-delete" => Vault(SessionOf(request).DeleteWalletAsync(request.Arg("name"))),
        "grant" => Vault(SessionOf(request).GrantAsync(request.Arg("endpoint"), request.Arg("wallet"), ParseLevel(request.Arg("level")))),
        "shards" => Shards(),
        _ => Task.FromResult(ControlResponse.Refused($"unknown command '{request.Command}'")),
    };

    /// <summary>
    /// The local operator, or (with "as") a registered endpoint: lets an operator check what an endpoint
    /// may see and do, through exactly the rules its KMIP or REST connection meets.
    /// </summary>
    private VaultSession SessionOf(ControlRequest request) =>
        _node.SessionFor(request.Optional("as") is { } endpoint ? new Principal.Endpoint(endpoint) : LocalOperator);

    /// <summary>Whoever holds the node's data directory (the socket is owner-only).</summary>
    private static readonly Principal LocalOperator = new Principal.Operator("local");

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

    private async Task<ControlResponse> Locate(ControlRequest request)
    {
        var filter = new LocateFilter(
            Name: request.Optional("name"),
            Type: request.Optional("type") is { } type ? Enum.Parse<ObjectType>(type, ignoreCase: true) : null,
            State: request.Optional("state") is { } state ? Enum.Parse<LifecycleState>(state, ignoreCase: true) : null,
            Wallet: request.Optional("wallet"),
            Offset: int.TryParse(request.Optional("offset"), out var offset) ? offset : 0,
            MaxItems: int.TryParse(request.Optional("max"), out var max) ? max : int.MaxValue);
        var found = await SessionOf(request).LocateAsync(filter);
        return ControlResponse.Done($"{found.Count} object(s)", new JsonObject
        {
            ["uids"] = new JsonArray(found.Select(o => (JsonNode)o.Uid).ToArray()),
        });
    }

    private async Task<ControlResponse> Conflicts(ControlRequest request)
    {
        var conflicts = await SessionOf(request).ConflictsAsync();
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
            ["selfStatus"] = cluster.SelfMember.Status.ToString(),
            ["leader"] = state.Leader?.ToString(),
            ["controller"] = oldestUp?.Address.ToString(),
            ["revocations"] = _node.Revocations.Count,
            ["mode"] = mode.Restricted ? "restricted" : "normal",
            ["modeReason"] = mode.Reason,
            ["members"] = new JsonArray(state.Members.OrderBy(m => m, Member.AgeOrdering).Select(m => (JsonNode)new JsonObject
            {
                ["address"] = m.Address.ToString(),
                ["status"] = m.Status.ToString(),
                ["roles"] = new JsonArray(m.Roles.Select(r => (JsonNode)r).ToArray()),
                ["reachable"] = !unreachable.Contains(m.Address),
            }).ToArray()),
        };
        return ControlResponse.Done($"{state.Members.Count} member(s)", data);
    }

    private async Task<ControlResponse> Registry()
    {
        var snapshot = await _node.ControllerProxy.Ask<RegistrySnapshot>(GetRegistry.Instance, _node.Settings.AskTimeout);
        var data = ControlJson.ToNode(snapshot.State)!.AsObject();
        data["controller"] = snapshot.ControllerAddress;
        return ControlResponse.Done($"registry v{snapshot.State.Version}", data);
    }

    private async Task<ControlResponse> Ask(IControllerCommand command)
    {
        var reply = await _node.ControllerProxy.Ask<IControllerReply>(command, _node.Settings.AskTimeout);
        _log.Info("Control: {0} -> {1}", command.GetType().Name, reply.GetType().Name);
        var (result, detail) = reply switch
        {
            CommandAccepted accepted => ("success", accepted.What),
            CommandRejected rejected => ("refused", rejected.Reason),
            _ => ("error", reply.GetType().Name),
        };
        await _node.Audit.RecordAsync(new AuditEvent(LocalOperator.Name, command.GetType().Name, null, result, detail));
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

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _loop;
        File.Delete(_node.Directory.ControlSocket);
        _stop.Dispose();
    }
}
