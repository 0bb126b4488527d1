using System.Diagnostics;
using System.Security.Cryptography;
using OkvActors.Kmip.Protocol;

namespace OkvActors.KmipLoad;

public sealed record LoadReport(
    DateTimeOffset Started,
    IReadOnlyList<string> Servers,
    int Clients,
    double Seconds,
    string Mix,
    int PoolSize,
    double WarmupSeconds,
    IReadOnlyList<LatencySummary> Operations,
    LatencySummary Total,
    IReadOnlyList<string> ErrorSamples)
{
    public long Errors => Operations.Sum(o => o.Errors);
}

/// <summary>Warm-up (a pool of named, active keys), then N clients each looping one request at a time for S seconds.</summary>
public sealed class LoadRunner(LoadOptions options, TextWriter log)
{
    private readonly List<string> _errorSamples = [];
    private readonly string _runId = Guid.NewGuid().ToString("N")[..8];

    private sealed class ClientResult
    {
        public readonly List<double>[] Latencies = Enum.GetValues<LoadOperation>().Select(_ => new List<double>()).ToArray();
        public readonly long[] Errors = new long[Enum.GetValues<LoadOperation>().Length];
    }

    /// <summary>A warm-up key; with Decrypt in the mix also one ciphertext under it, its IV and the plaintext to check against.</summary>
    private sealed record PoolKey(string Id, string Name, byte[]? Plaintext = null, byte[]? Ciphertext = null, byte[]? Iv = null);

    public async Task<LoadReport> Run(CancellationToken token)
    {
        var identity = TlsIdentity.Load(options.Cert, options.Key, options.Ca);
        var started = DateTimeOffset.UtcNow;

        var warm = Stopwatch.StartNew();
        var pool = await WarmUp(identity, token);
        warm.Stop();
        log.WriteLine($"warm-up: {pool.Length} keys created and activated in {warm.Elapsed.TotalSeconds:F1} s");

        var connections = await Task.WhenAll(Enumerable.Range(0, options.Clients)
            .Select(i => KmipConnection.Connect(options.Servers[i % options.Servers.Count], identity, token)));
        log.WriteLine($"{connections.Length} connections over {options.Servers.Count} server(s); measuring {options.Seconds} s, mix {options.Mix}");

        var results = new ClientResult[options.Clients];
        var clock = Stopwatch.StartNew();
        var deadline = Stopwatch.GetTimestamp() + (long)(options.Seconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(i => Task.Run(async () =>
        {
            results[i] = await Client(i, connections[i], identity, pool, deadline, token);
        }, token)));
        var elapsed = clock.Elapsed.TotalSeconds;

        var summaries = Enum.GetValues<LoadOperation>()
            .Where(op => options.Mix.WeightOf(op) > 0)
            .Select(op => LatencyStats.Summarise(op.ToString(), results.SelectMany(r => r.Latencies[(int)op]), results.Sum(r => r.Errors[(int)op]), elapsed))
            .ToList();
        var total = LatencyStats.Summarise("Total", results.SelectMany(r => r.Latencies.SelectMany(l => l)), results.Sum(r => r.Errors.Sum()), elapsed);
        return new LoadReport(started, options.Servers, options.Clients, Math.Round(elapsed, 3), options.Mix.ToString(), pool.Length,
            Math.Round(warm.Elapsed.TotalSeconds, 3), summaries, total, _errorSamples.ToList());
    }

    private async Task<PoolKey[]> WarmUp(TlsIdentity identity, CancellationToken token)
    {
        var workers = Math.Min(Math.Min(options.Clients, 8), options.PoolSize);
        var pool = new PoolKey[options.PoolSize];
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async w =>
        {
            await using var connection = await KmipConnection.Connect(options.Servers[w % options.Servers.Count], identity, token);
            for (var n = w; n < pool.Length; n += workers)
            {
                var name = $"kload-{_runId}-{n}";
                var id = KmipRequests.CreatedId(await connection.Send(KmipRequests.Create(options.KeyBits, name), token));
                KmipRequests.Expect(await connection.Send(KmipRequests.Activate(id), token), Operation.Activate);
                pool[n] = new PoolKey(id, name);
                if (options.Mix.WeightOf(LoadOperation.Decrypt) > 0)
                {
                    var plaintext = RandomNumberGenerator.GetBytes(options.DataBytes);
                    var (ciphertext, iv) = KmipRequests.Encrypted(await connection.Send(KmipRequests.Encrypt(id, plaintext), token));
                    pool[n] = pool[n] with { Plaintext = plaintext, Ciphertext = ciphertext, Iv = iv };
                }
            }
        }));

        // A cluster replicates in the background: give the pool a moment to reach every node before reading it there.
        if (options.Servers.Count > 1)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), token);
        }

        return pool;
    }

    private async Task<ClientResult> Client(int index, KmipConnection connection, TlsIdentity identity, PoolKey[] pool, long deadline, CancellationToken token)
    {
        var result = new ClientResult();
        var random = new Random(HashCode.Combine(index, _runId));
        var data = RandomNumberGenerator.GetBytes(options.DataBytes);
        try
        {
            while (Stopwatch.GetTimestamp() < deadline && !token.IsCancellationRequested)
            {
                var op = options.Mix.Pick(random);
                var key = pool[random.Next(pool.Length)];
                var (request, operation) = op switch
                {
                    LoadOperation.Create => (KmipRequests.Create(options.KeyBits, null), Operation.Create),
                    LoadOperation.Get => (KmipRequests.Get(key.Id), Operation.Get),
                    LoadOperation.Locate => (KmipRequests.LocateByName(key.Name), Operation.Locate),
                    LoadOperation.Decrypt => (KmipRequests.Decrypt(key.Id, key.Ciphertext!, key.Iv), Operation.Decrypt),
                    _ => (KmipRequests.Encrypt(key.Id, data), Operation.Encrypt),
                };
                var start = Stopwatch.GetTimestamp();
                try
                {
                    var response = await connection.Send(request, token);
                    var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    var payload = KmipRequests.Expect(response, operation);
                    if (op == LoadOperation.Locate && payload?.Find(Tag.UniqueIdentifier) is null)
                    {
                        throw new KmipLoadException($"Locate: no object named {key.Name}");
                    }

                    if (op == LoadOperation.Decrypt && !(payload?.BytesOf(Tag.Data) is { } plain && plain.AsSpan().SequenceEqual(key.Plaintext)))
                    {
                        throw new KmipLoadException($"Decrypt: the plaintext under {key.Id} came back different");
                    }

                    result.Latencies[(int)op].Add(elapsed);
                }
                catch (KmipLoadException e)
                {
                    result.Errors[(int)op]++;
                    Sample(e.Message);
                }
                catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or System.Net.Sockets.SocketException or OkvActors.Kmip.Ttlv.TtlvFormatException or KmipFieldException)
                {
                    // The connection is unusable: count it and reconnect, as a real client would.
                    result.Errors[(int)op]++;
                    Sample($"{op}: {e.GetType().Name}: {e.Message}");
                    await connection.DisposeAsync();
                    connection = await KmipConnection.Connect(options.Servers[index % options.Servers.Count], identity, token);
                }
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException)
        {
            result.Errors[0]++;
            Sample($"client {index} gave up: reconnect failed: {e.Message}");
            return result;
        }

        await connection.DisposeAsync();
        return result;
    }

    private void Sample(string message)
    {
        lock (_errorSamples)
        {
            if (_errorSamples.Count < 20 && !_errorSamples.Contains(message))
            {
                _errorSamples.Add(message);
            }
        }
    }
}
