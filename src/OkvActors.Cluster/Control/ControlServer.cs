using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Hosting;
using OkvActors.Cluster.Load;
using OkvActors.Crypto.Keys;
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
        "key-create" => Vault(_node.Keys.CreateSymmetricKeyAsync(SymmetricKeyAlgorithm.Aes, 256, [request.Arg("name")])),
        "key-register" => Vault(_node.Keys.RegisterAsync(ObjectType.SymmetricKey, KeyManager.Algorithms.Aes, 256,
            Convert.FromBase64String(request.Arg("material")), [request.Arg("name")])),
        "key-get" => Vault(_node.Vault.GetAsync(request.Arg("uid"), Freshness(request))),
        "key-activate" => Vault(_node.Keys.ActivateAsync(request.Arg("uid"))),
        "key-revoke" => Vault(_node.Keys.RevokeAsync(request.Arg("uid"), RevocationReason.CessationOfOperation)),
        "key-destroy" => Vault(_node.Keys.DestroyAsync(request.Arg("uid"))),
        "key-encrypt" => Vault(_node.Keys.EncryptAsync(request.Arg("uid"), Convert.FromBase64String(request.Arg("data")))),
        "key-decrypt" => Vault(_node.Keys.DecryptAsync(request.Arg("uid"), Convert.FromBase64String(request.Arg("ciphertext")),
            Convert.FromBase64String(request.Arg("iv")))),
        "key-rename" => Vault(_node.Keys.RenameAsync(request.Arg("uid"), [request.Arg("name")])),
        "key-locate" => Locate(request),
        "conflicts" => Conflicts(),
        "shards" => Shards(),
        "load" => Load(LoadRequest.Parse(request.Args)),
        _ => Task.FromResult(ControlResponse.Refused($"unknown command '{request.Command}'")),
    };

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
    };

    /// <summary>key-get reads the latest a majority holds unless asked for this node's replica (freshness=local), e.g. to see when a write arrived here.</summary>
    private static ReadFreshness Freshness(ControlRequest request) =>
        request.Args?.GetValueOrDefault("freshness") switch
        {
            null or "latest" => ReadFreshness.Latest,
            "local" => ReadFreshness.Local,
            var other => throw new ControlException($"freshness must be latest or local, not '{other}'"),
        };

    /// <summary>
    /// Creates keys through this node's KeyManager, the path an embedding host takes, and reports throughput and
    /// latency. The keys are real (AES-256, Pre-Active, named PREFIX-N): run it on clusters meant for measuring.
    /// </summary>
    private async Task<ControlResponse> Load(LoadRequest load)
    {
        _log.Info("Control: load of {0} creations (concurrency {1}, rate {2})", load.Count, load.Concurrency, load.Rate?.ToString() ?? "unpaced");
        var result = await LoadRunner.RunAsync(load,
            i => _node.Keys.CreateSymmetricKeyAsync(SymmetricKeyAlgorithm.Aes, 256, [$"{load.Prefix}-{i}"]), _stop.Token);
        _log.Info("Control: load done: {0}", result);
        return ControlResponse.Done(result.ToString(), ControlJson.ToNode(result));
    }

    private async Task<ControlResponse> Locate(ControlRequest request)
    {
        string? Optional(string name) => request.Args is not null && request.Args.TryGetValue(name, out var v) ? v : null;
        var filter = new LocateFilter(
            Name: Optional("name"),
            State: Optional("state") is { } state ? Enum.Parse<LifecycleState>(state, ignoreCase: true) : null,
            Offset: int.TryParse(Optional("offset"), out var offset) ? offset : 0,
            MaxItems: int.TryParse(Optional("max"), out var max) ? max : int.MaxValue);
        var found = Catalog.Locate(await ShardInspector.ObjectsAsync(_node.System, _node.Settings.AskTimeout), filter);
        return ControlResponse.Done($"{found.Count} object(s)", new JsonObject
        {
            ["uids"] = new JsonArray(found.Select(o => (JsonNode)o.Uid).ToArray()),
        });
    }

    private async Task<ControlResponse> Conflicts()
    {
        var conflicts = Catalog.Conflicts(await ShardInspector.ObjectsAsync(_node.System, _node.Settings.AskTimeout));
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
            ["gc"] = ControlJson.ToNode(GcActivity.Now()),
            ["heapBytes"] = GC.GetTotalMemory(forceFullCollection: false),
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
        return reply switch
        {
            CommandAccepted accepted => ControlResponse.Done(accepted.What, new JsonObject { ["version"] = accepted.State.Version }),
            CommandRejected rejected => ControlResponse.Refused(rejected.Reason),
            _ => ControlResponse.Refused($"unexpected controller reply {reply.GetType().Name}"),
        };
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
