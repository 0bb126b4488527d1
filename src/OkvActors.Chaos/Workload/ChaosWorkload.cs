using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using OkvActors.Chaos.History;
using OkvActors.Chaos.Lab;
using OkvActors.Cluster.Control;
using OkvActors.Kmip.Messages;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;
using OkvActors.KmipLoad;

namespace OkvActors.Chaos.Workload;

/// <summary>
/// Concurrent clients spread over every node, each one KMIP connection over mutual TLS to its node, doing a seeded
/// mix of create, register, get, locate, activate, revoke, destroy, re-key, encrypt/decrypt and attribute changes
/// on a shared pool of objects, plus Inspect (the object's state in the node's own replica, through the in-process
/// client behind the control socket). Every operation goes into the history with its start, end, node, arguments and
/// outcome; an operation that got no answer is Unknown, never Failed.
/// </summary>
/// <remarks>
/// <paramref name="affinity"/>: the share of operations on objects created through the client's own node; the rest
/// pick any object, so reads and changes cross nodes and test replication.
/// </remarks>
public sealed class ChaosWorkload(ChaosCluster cluster, TlsIdentity identity, OperationLog history, SecretBook secrets, int seed, Stopwatch clock,
    double affinity = 0.5, IReadOnlyList<(OpKind Kind, int Weight)>? mix = null)
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    public static readonly IReadOnlyList<(OpKind Kind, int Weight)> DefaultMix =
    [
        (OpKind.Create, 3), (OpKind.Register, 3), (OpKind.Get, 4), (OpKind.Locate, 2), (OpKind.Activate, 3), (OpKind.Revoke, 1),
        (OpKind.Destroy, 1), (OpKind.ReKey, 1), (OpKind.EncryptDecrypt, 2), (OpKind.AddAttribute, 2), (OpKind.Inspect, 4),
    ];

    private readonly List<(string Uid, string Name)> _pool = [];
    private readonly Dictionary<int, List<(string Uid, string Name)>> _byNode = [];
    private readonly string _run = $"chaos{seed}";
    private long _names;

    private double Now => clock.Elapsed.TotalSeconds;

    /// <summary>Runs <paramref name="clients"/> clients (client i on node i mod N) at about <paramref name="rate"/> operations per second each until <paramref name="stop"/>.</summary>
    public Task Run(int clients, double rate, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(() => Client(i, 1 + (i % cluster.Count), rate, stop), CancellationToken.None)));

    private async Task Client(int index, int node, double rate, CancellationToken stop)
    {
        var random = new Random(HashCode.Combine(seed, index));
        KmipConnection? connection = null;
        var period = TimeSpan.FromSeconds(1 / rate);
        while (!stop.IsCancellationRequested)
        {
            var began = Stopwatch.GetTimestamp();
            var kind = Pick(random);
            if (kind == OpKind.Inspect)
            {
                await Inspect(index, node, random);
            }
            else
            {
                connection = await Kmip(index, node, kind, random, connection);
            }

            var rest = period - Stopwatch.GetElapsedTime(began);
            if (rest > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(rest, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }

    private readonly IReadOnlyList<(OpKind Kind, int Weight)> _mix = mix ?? DefaultMix;

    /// <summary>Parses "create=3,get=4,…" (operation names as in the history, any case); at least one positive weight.</summary>
    public static IReadOnlyList<(OpKind Kind, int Weight)> ParseMix(string text)
    {
        var mix = new List<(OpKind, int)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2);
            if (pair.Length != 2 || !Enum.TryParse<OpKind>(pair[0], ignoreCase: true, out var kind) || !int.TryParse(pair[1], out var weight) || weight < 0)
            {
                throw new FormatException($"'{part}' is not OPERATION=WEIGHT (operations: {string.Join(", ", Enum.GetNames<OpKind>().Select(n => n.ToLowerInvariant()))})");
            }

            mix.Add((kind, weight));
        }

        return mix.Sum(m => m.Item2) > 0 ? mix : throw new FormatException("the mix needs at least one positive weight");
    }

    private OpKind Pick(Random random)
    {
        var roll = random.Next(_mix.Sum(m => m.Weight));
        foreach (var (kind, weight) in _mix)
        {
            if ((roll -= weight) < 0)
            {
                return kind;
            }
        }

        return OpKind.Get;
    }

    private (string Uid, string Name)? AnyObject(Random random, int node)
    {
        lock (_pool)
        {
            var from = random.NextDouble() < affinity && _byNode.TryGetValue(node, out var own) && own.Count > 0 ? own : _pool;
            return from.Count == 0 ? null : from[random.Next(from.Count)];
        }
    }

    private void AddToPool(string uid, string name, int node)
    {
        lock (_pool)
        {
            _pool.Add((uid, name));
            if (!_byNode.TryGetValue(node, out var own))
            {
                _byNode[node] = own = [];
            }

            own.Add((uid, name));
        }
    }

    private async Task<KmipConnection?> Kmip(int index, int node, OpKind kind, Random random, KmipConnection? connection)
    {
        var target = kind is OpKind.Create or OpKind.Register ? null : AnyObject(random, node);
        if (kind is not (OpKind.Create or OpKind.Register) && target is null)
        {
            kind = OpKind.Create;
        }

        var name = $"{_run}-{Interlocked.Increment(ref _names)}";
        byte[]? material = kind == OpKind.Register ? RandomNumberGenerator.GetBytes(32) : null;
        var uid = target?.Uid;
        var args = kind switch
        {
            OpKind.Create => $"name={name}",
            OpKind.Register => $"name={name} material-sha256={SecretBook.Hash(material!)}",
            OpKind.Locate => $"name={target!.Value.Name}",
            OpKind.AddAttribute => $"{ChaosRequests.TagAttribute}={name}",
            _ => null,
        };
        var id = history.NextId();
        var start = Now;
        var nodeName = ChaosCluster.Name(node);
        ClientOperation Record(Outcome outcome, string? result = null, string? error = null, bool restricted = false) =>
            new(id, index, nodeName, kind, uid, kind == OpKind.Register ? $"{SecretBook.Hash(material!)}" : args, start, Now, outcome, result, error, restricted);

        if (connection is null)
        {
            try
            {
                using var connect = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                connection = await KmipConnection.Connect(cluster.Kmip(node), identity, connect.Token);
            }
            catch (Exception e) when (e is IOException or SocketException or AuthenticationException or OperationCanceledException)
            {
                // Nothing was sent: the operation did not happen.
                history.Add(Record(Outcome.Failed, error: $"connect: {e.GetType().Name}: {e.Message}"));
                await Task.Delay(500);
                return null;
            }
        }

        using var timeout = new CancellationTokenSource(RequestTimeout);
        try
        {
            switch (kind)
            {
                case OpKind.Create:
                    {
                        var created = KmipRequests.CreatedId(await connection.Send(KmipRequests.Create(256, name), timeout.Token));
                        AddToPool(created, name, node);
                        history.Add(Record(Outcome.Ok, created));
                        break;
                    }

                case OpKind.Register:
                    {
                        var response = await connection.Send(ChaosRequests.Register(material!, name), timeout.Token);
                        var registered = KmipRequests.Expect(response, Operation.Register)?.TextOf(Tag.UniqueIdentifier)
                                         ?? throw new KmipLoadException("Register: no Unique Identifier in the response");
                        secrets.Remember(registered, material!);
                        AddToPool(registered, name, node);
                        history.Add(Record(Outcome.Ok, registered));
                        break;
                    }

                case OpKind.Get:
                    {
                        var key = ChaosRequests.MaterialOf(KmipRequests.Expect(await connection.Send(KmipRequests.Get(uid!), timeout.Token), Operation.Get));
                        secrets.Remember(uid!, key);
                        history.Add(Record(Outcome.Ok, SecretBook.Hash(key)));
                        CryptographicOperations.ZeroMemory(key);
                        break;
                    }

                case OpKind.Locate:
                    {
                        var payload = KmipRequests.Expect(await connection.Send(KmipRequests.LocateByName(target!.Value.Name), timeout.Token), Operation.Locate);
                        history.Add(Record(Outcome.Ok, string.Join(",", payload?.FindAll(Tag.UniqueIdentifier).Select(u => u.AsText()) ?? [])));
                        break;
                    }

                case OpKind.ReKey:
                    {
                        var payload = KmipRequests.Expect(await connection.Send(ChaosRequests.ReKey(uid!), timeout.Token), Operation.ReKey);
                        var replacement = payload?.TextOf(Tag.UniqueIdentifier) ?? throw new KmipLoadException("ReKey: no Unique Identifier in the response");
                        AddToPool(replacement, target!.Value.Name, node);
                        history.Add(Record(Outcome.Ok, replacement));
                        break;
                    }

                case OpKind.EncryptDecrypt:
                    {
                        var data = RandomNumberGenerator.GetBytes(48);
                        var encrypted = KmipRequests.Expect(await connection.Send(KmipRequests.Encrypt(uid!, data), timeout.Token), Operation.Encrypt)!;
                        var decrypted = KmipRequests.Expect(await connection.Send(
                            ChaosRequests.Decrypt(uid!, encrypted.RequiredBytes(Tag.Data), encrypted.RequiredBytes(Tag.IvCounterNonce)), timeout.Token), Operation.Decrypt)!;
                        history.Add(decrypted.RequiredBytes(Tag.Data).AsSpan().SequenceEqual(data)
                            ? Record(Outcome.Ok, "round-trip")
                            : Record(Outcome.Ok, "mismatch", "decrypt did not give back the plaintext"));
                        break;
                    }

                default:
                    {
                        var (request, operation) = kind switch
                        {
                            OpKind.Activate => (KmipRequests.Activate(uid!), Operation.Activate),
                            OpKind.Revoke => (ChaosRequests.Revoke(uid!), Operation.Revoke),
                            OpKind.Destroy => (ChaosRequests.Destroy(uid!), Operation.Destroy),
                            _ => (ChaosRequests.AddAttribute(uid!, name), Operation.AddAttribute),
                        };
                        KmipRequests.Expect(await connection.Send(request, timeout.Token), operation);
                        history.Add(Record(Outcome.Ok));
                        break;
                    }
            }

            return connection;
        }
        catch (KmipLoadException e)
        {
            // The server answered with a failure: it did not happen, unless it says the write was tried and not
            // confirmed by its quorum in time (it may still be applied where it was tried, and spread later).
            var unconfirmed = e.Message.Contains("not acknowledged", StringComparison.Ordinal);
            history.Add(Record(unconfirmed ? Outcome.Unknown : Outcome.Failed, error: e.Message, restricted: e.Message.Contains("restricted mode", StringComparison.Ordinal)));
            return connection;
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or OperationCanceledException
                                      or TtlvFormatException or KmipFieldException or ObjectDisposedException)
        {
            // Sent, but no (usable) answer: it may or may not have happened. The connection is dropped, as a real client would.
            history.Add(Record(Outcome.Unknown, error: $"{e.GetType().Name}: {e.Message}"));
            await connection.DisposeAsync();
            return null;
        }
    }

    private async Task Inspect(int index, int node, Random random)
    {
        var target = AnyObject(random, node);
        if (target is null)
        {
            return;
        }

        var id = history.NextId();
        var start = Now;
        try
        {
            var response = await cluster.Control(node, "key-get", new Dictionary<string, string>
            {
                ["uid"] = target.Value.Uid,
                ["freshness"] = "local",
                ["as"] = "endpoint1",
            }, TimeSpan.FromSeconds(5));
            var state = response.Ok ? response.Data?["state"]?.GetValue<string>() : response.Message.StartsWith("no object", StringComparison.Ordinal) ? "absent" : null;
            history.Add(new ClientOperation(id, index, ChaosCluster.Name(node), OpKind.Inspect, target.Value.Uid, "freshness=local", start, Now,
                state is null ? Outcome.Failed : Outcome.Ok, state, state is null ? response.Message : null));
        }
        catch (Exception e) when (e is ControlException or IOException or SocketException or TimeoutException or OperationCanceledException)
        {
            history.Add(new ClientOperation(id, index, ChaosCluster.Name(node), OpKind.Inspect, target.Value.Uid, "freshness=local", start, Now,
                Outcome.Unknown, Error: $"{e.GetType().Name}: {e.Message}"));
        }
    }
}
