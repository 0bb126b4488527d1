using System.Diagnostics;
using System.Runtime.InteropServices;
using OkvActors.KmipLoad;
using OkvActors.Lab.Peers;
using OkvActors.Lab.Report;
using OkvActors.Lab.Scenarios;
using OkvActors.LoadGen;

namespace OkvActors.Lab;

/// <summary>
/// One lab run: brings up OkvActors (3 nodes), pykmip-server and etcd (3 members) side by side, runs the macro
/// benchmarks interleaved, then convergence and the node kill, and stops everything it started.
/// A peer that cannot start is reported as not run; the OkvActors cluster not starting fails the run.
/// </summary>
public sealed class LabRunner(LabOptions options, string command, TextWriter log)
{
    private readonly List<string> _notRun = [];
    private readonly List<string> _notes = [];

    public async Task<LabReport> Run(CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        var loadBefore = LoadAverage.Now();
        var work = Path.GetFullPath(options.WorkDir ?? Path.Combine(Path.GetTempPath(), $"okv-lab-{started:yyyyMMdd-HHmmss}"));
        Directory.CreateDirectory(work);
        log.WriteLine($"okv-lab: working in {work}; load average {loadBefore}");

        await using var cluster = await ClusterUnderTest.Start(Path.Combine(work, "okv"), 3, options.BasePort, options.ShardCount, log, ct);
        var endpoint = cluster.File.Pki.Endpoints[0];
        var (cert, key, ca) = (endpoint.Cert, endpoint.Key, cluster.File.Pki.Ca);
        var targets = new List<KmipTarget> { new(Systems.Okv, cluster.File.Nodes.Select(n => n.Kmip).ToArray()) };

        PyKmipServer? pykmip = null;
        EtcdCluster? etcd = null;
        using var etcdClient = new EtcdClient(16);
        try
        {
            if (options.Runs(LabPart.PyKmip))
            {
                pykmip = await Optional("pykmip-server", () => PyKmipServer.Start(Path.Combine(work, "pykmip"), options.BasePort + 500, cluster, Okv, log, ct));
                if (pykmip is not null)
                {
                    targets.Add(new KmipTarget(Systems.PyKmip, [pykmip.Address]));
                }
            }
            else
            {
                _notRun.Add("pykmip-server: skipped (--skip pykmip)");
            }

            if (options.Runs(LabPart.Etcd))
            {
                etcd = await Optional("etcd", () => EtcdCluster.Start(Path.Combine(work, "etcd"), options.BasePort + 600, etcdClient, log, ct));
            }
            else
            {
                _notRun.Add("etcd: skipped (--skip etcd)");
            }

            var macro = await new KmipMacro(options, log).Run(targets, cert, key, ca, etcd is null ? null : new EtcdPutBench(options, etcd, log), ct);

            var scale = new List<ScaleResult>();
            if (options.Runs(LabPart.Scale))
            {
                var load = new ScaleLoad(options, log);
                await Phase("scale (OkvActors)", async () => scale.Add(await load.Okv(cluster, ct)));
                if (etcd is not null)
                {
                    await Phase("scale (etcd)", async () => scale.Add(await load.Etcd(etcd, ct)));
                }
            }
            else
            {
                _notRun.Add("scale load and memory: skipped (--skip scale)");
            }

            var convergence = new List<ConvergenceResult>();
            if (options.Runs(LabPart.Convergence))
            {
                var probe = new Convergence(options, log);
                await Phase("convergence (OkvActors)", async () => convergence.Add(await probe.Okv(cluster, ct)));
                if (etcd is not null)
                {
                    await Phase("convergence (etcd)", async () => convergence.Add(await probe.Etcd(etcd, ct)));
                }
            }
            else
            {
                _notRun.Add("convergence: skipped (--skip convergence)");
            }

            var availability = new List<AvailabilityResult>();
            if (options.Runs(LabPart.Availability))
            {
                var kill = new NodeKill(options, log);
                await Phase("availability (OkvActors)", async () => availability.Add(await kill.Okv(cluster, TlsIdentity.Load(cert, key, ca), ct)));
                if (etcd is not null)
                {
                    await Phase("availability (etcd)", async () => availability.Add(await kill.Etcd(etcd, ct)));
                }
            }
            else
            {
                _notRun.Add("availability: skipped (--skip availability)");
            }

            var growth = new List<GrowthResult>();
            if (options.Runs(LabPart.Growth))
            {
                var grow = new ClusterGrowth(options, log);
                foreach (var nodes in options.GrowthNodes)
                {
                    await Phase($"growth ({nodes} nodes)", async () => growth.Add(await grow.Run(nodes, Path.Combine(work, $"growth-{nodes}"), ct)));
                }
            }
            else
            {
                _notRun.Add("growth (cluster sizes formed from nothing): skipped (--skip growth)");
            }

            NotRunByDesign();
            var comparisons = Ratios.Compare(macro);
            var verdicts = Targets.Judge(macro, comparisons, availability, convergence, scale);
            var machine = new MachineInfo(Environment.ProcessorCount, RuntimeInformation.OSDescription, Environment.Version.ToString(), loadBefore, LoadAverage.Now());
            return new LabReport(started, DateTimeOffset.UtcNow, machine, command, options.ValueBytes, macro, comparisons, availability, convergence, scale, growth, verdicts, _notRun, _notes);
        }
        finally
        {
            if (pykmip is not null)
            {
                await pykmip.DisposeAsync();
            }

            if (etcd is not null)
            {
                await etcd.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// A phase that fails (a node downed under load, a peer that stops answering) is a finding named in the
    /// report; the figures already taken are still written.
    /// </summary>
    private async Task Phase(string what, Func<Task> run)
    {
        try
        {
            await run();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.WriteLine($"okv-lab: {what} failed: {e.GetType().Name}: {e.Message}");
            _notRun.Add($"{what}: failed during the run ({e.GetType().Name}: {e.Message})");
        }
    }

    /// <summary>A peer that cannot start is a gap in the report, named there, not the end of the lab.</summary>
    private async Task<T?> Optional<T>(string what, Func<Task<T>> start)
        where T : class
    {
        try
        {
            return await start();
        }
        catch (Exception e) when (e is LabException or IOException or EtcdException or HttpRequestException)
        {
            log.WriteLine($"okv-lab: {what} could not start: {e.Message}");
            _notRun.Add($"{what}: could not start ({e.Message})");
            return null;
        }
    }

    private void NotRunByDesign()
    {
        _notRun.Add("micro benchmarks (TTLV, key wrap, CRDT merge, allocations): BenchmarkDotNet, run separately with `build.ps1 bench -Micro`");
        _notRun.Add("scale beyond the lab's load: 1M objects and a whole-cluster cold restart; okv-load measures 1M loads, wiped-node recovery and the cold restart of every node with `build.ps1 bench -Scale -ShardCount 4096 -Objects 1000000` (tests/OkvActors.Benchmarks/RESULTS.md)");
        _notRun.Add("profiles: the lab does not attach dotnet-counters or dotnet-trace itself");
        if (Environment.ProcessorCount <= 2)
        {
            _notes.Add($"{Environment.ProcessorCount} cores shared by the load generator, 3 OkvActors nodes, pykmip-server, 3 etcd members and other users' work: absolute figures are CPU-bound and noisy");
        }

        _notes.Add("etcd is measured over plain HTTP on loopback (its v3 JSON gateway, our own C# client); OkvActors and pykmip-server over mutual TLS — this favours etcd");
        _notes.Add("pykmip-server is one Python process with SQLite; OkvActors' figures are for the 3-node cluster with clients spread over all nodes");
        _notes.Add($"the OkvActors cluster is initialised with {options.ShardCount} shards (`okv up --shard-count`), about 250 objects a shard at {options.Objects:N0} " +
            "records plus the macro runs' creations, as the README sizes it; the growth clusters keep the default 256");
    }

    /// <summary>One `okv` command (okv.dll beside this program, on the same dotnet host) run to its end.</summary>
    private static async Task<string> Okv(string[] args)
    {
        var host = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args.Prepend(Path.Combine(AppContext.BaseDirectory, "okv.dll")))
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new LabException("could not start okv");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await stdout : throw new LabException($"okv {args[0]} failed ({process.ExitCode}): {(await stderr).Trim()}");
    }
}
