using System.Diagnostics;
using System.Security.Cryptography;
using OkvActors.KmipLoad;
using OkvActors.Lab.Peers;
using OkvActors.Lab.Report;

namespace OkvActors.Lab.Scenarios;

/// <summary>
/// Closed-loop puts of one key-store record's size over etcd's HTTP/JSON gateway, clients spread round robin
/// over the members as okv-kmip-load spreads them over nodes. A put is acknowledged after the Raft majority commit.
/// </summary>
public sealed class EtcdPutBench(LabOptions options, EtcdCluster etcd, TextWriter log)
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    public async Task<MacroRow> RunOne(int clients, CancellationToken ct)
    {
        var load = LoadAverage.OneMinute();
        log.WriteLine($"okv-lab: {DateTime.UtcNow:HH:mm:ss} etcd Put × {clients} clients, {options.Seconds} s (load {load:0.0})");
        using var client = new EtcdClient(clients);
        var latencies = new List<double>[clients];
        var errors = new long[clients];
        var samples = new List<string>();
        var clock = Stopwatch.StartNew();
        var deadline = Stopwatch.GetTimestamp() + (long)(options.Seconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(async () =>
        {
            latencies[i] = [];
            var value = RandomNumberGenerator.GetBytes(options.ValueBytes);
            var endpoint = etcd.Endpoint(i % etcd.Count);
            for (var n = 0; Stopwatch.GetTimestamp() < deadline; n++)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await client.Put(endpoint, $"lab/{_run}/{clients}/{i}/{n}", value, ct);
                    latencies[i].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
                catch (Exception e) when (e is HttpRequestException or EtcdException or TaskCanceledException)
                {
                    errors[i]++;
                    lock (samples)
                    {
                        samples.Add(e.Message);
                    }
                }
            }
        }, ct)));
        var s = LatencyStats.Summarise("Put", latencies.SelectMany(l => l), errors.Sum(), clock.Elapsed.TotalSeconds);
        var row = new MacroRow(Systems.Etcd, "Put", clients, Math.Round(clock.Elapsed.TotalSeconds, 3), s.Count, s.Errors, Math.Round(s.OpsPerSecond, 1),
            s.P50Ms, s.P95Ms, s.P99Ms, s.MaxMs, load);
        log.WriteLine($"okv-lab:   {s.OpsPerSecond:0} ops/s  p50 {s.P50Ms:0.00} ms  p99 {s.P99Ms:0.00} ms  errors {s.Errors}");
        foreach (var sample in samples.Distinct().Take(3))
        {
            log.WriteLine($"okv-lab:   error sample: {sample}");
        }

        return row;
    }
}
