using OkvActors.KmipLoad;
using OkvActors.Lab.Report;

namespace OkvActors.Lab.Scenarios;

/// <summary>A KMIP server under test: its name in the report and its endpoints.</summary>
public sealed record KmipTarget(string System, IReadOnlyList<string> Servers);

/// <summary>
/// okv-kmip-load's generator, in process, one operation at a time (mix "op=1") at each concurrency, against a
/// KMIP target: the same requests, warm-up pool and client certificate for OkvActors and pykmip-server.
/// </summary>
public sealed class KmipMacro(LabOptions options, TextWriter log)
{
    /// <summary>
    /// For each operation and concurrency, every target back to back (and etcd's puts after each Create), so each
    /// ratio compares figures taken minutes apart at most, under about the same machine load.
    /// </summary>
    public async Task<List<MacroRow>> Run(IReadOnlyList<KmipTarget> targets, string cert, string key, string ca, EtcdPutBench? etcd, CancellationToken ct)
    {
        var rows = new List<MacroRow>();
        foreach (var op in options.Operations)
        {
            foreach (var clients in options.Clients)
            {
                foreach (var target in targets)
                {
                    rows.Add(await RunOne(target.System, target.Servers, op, clients, cert, key, ca, ct));
                }

                if (op == LoadOperation.Create && etcd is not null)
                {
                    rows.Add(await etcd.RunOne(clients, ct));
                }
            }
        }

        return rows;
    }

    public async Task<MacroRow> RunOne(string system, IReadOnlyList<string> servers, LoadOperation op, int clients, string cert, string key, string ca, CancellationToken ct)
    {
        var load = LoadAverage.OneMinute();
        var loadOptions = new LoadOptions(servers, cert, key, ca, clients, options.Seconds, LoadMix.Parse($"{op}=1"),
            PoolSize: 32, KeyBits: 256, DataBytes: 64, Json: true);
        log.WriteLine($"okv-lab: {DateTime.UtcNow:HH:mm:ss} {system} {op} × {clients} clients, {options.Seconds} s (load {load:0.0})");
        try
        {
            var report = await new LoadRunner(loadOptions, TextWriter.Null).Run(ct);
            var s = report.Operations.Single();
            var row = new MacroRow(system, op.ToString(), clients, report.Seconds, s.Count, s.Errors, Math.Round(s.OpsPerSecond, 1),
                s.P50Ms, s.P95Ms, s.P99Ms, s.MaxMs, load);
            log.WriteLine($"okv-lab:   {s.OpsPerSecond:0} ops/s  p50 {s.P50Ms:0.00} ms  p99 {s.P99Ms:0.00} ms  errors {s.Errors}");
            foreach (var sample in report.ErrorSamples.Take(3))
            {
                log.WriteLine($"okv-lab:   error sample: {sample}");
            }

            return row;
        }
        catch (Exception e) when (e is KmipLoadException or IOException or System.Net.Sockets.SocketException
            or System.Security.Authentication.AuthenticationException or OkvActors.Kmip.Ttlv.TtlvFormatException)
        {
            // A peer that cannot take this load is a figure too: recorded, and the lab goes on.
            log.WriteLine($"okv-lab:   failed: {e.GetType().Name}: {e.Message}");
            return new MacroRow(system, op.ToString(), clients, 0, 0, 0, 0, 0, 0, 0, 0, load, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
