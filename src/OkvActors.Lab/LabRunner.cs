using System.Runtime.InteropServices;
using OkvActors.KmipLoad;
using OkvActors.Lab.Peers;
using OkvActors.Lab.Report;
using OkvActors.Lab.Scenarios;
using OkvActors.LoadGen;

namespace OkvActors.Lab;

/// <summary>
/// One lab run: the micro benchmarks beside their peers; then OkvActors (3 nodes), pykmip-server and etcd
/// (3 members) side by side: the macro benchmarks interleaved, a node profiled during the judged runs, both
/// replicated systems loaded, then convergence, the node kill and a cold restart on them; cluster growth; loads
/// into fresh clusters; and everything it started stopped.
/// A peer that cannot start is reported as not run; the OkvActors cluster not starting fails the run.
/// </summary>
public sealed class LabRunner(LabOptions options, string command, TextWriter log)
{
    /// <summary>The fresh etcd clusters' ports (clients +620..+622, peers +630..+632), beside the lab's etcd at +600.</summary>
    private const int FreshEtcdPortOffset = 620;

    /// <summary>The BenchmarkDotNet suites, as `build.ps1 bench` builds them (the lab runs from the repository root).</summary>
    private const string BenchmarksDll = "tests/OkvActors.Benchmarks/bin/Release/net10.0/OkvActors.Benchmarks.dll";
    private const string KmipBenchmarksDll = "tests/OkvActors.Kmip.Benchmarks/bin/Release/net10.0/OkvActors.Kmip.Benchmarks.dll";

    private static readonly TimeSpan IdleSettle = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan OkvCommandTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan IdleProfile = TimeSpan.FromSeconds(15);

    private readonly List<string> _notRun = [];
    private readonly List<string> _notes = [];

    public async Task<LabReport> Run(CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        var loadBefore = LoadAverage.Now();
        var work = Path.GetFullPath(options.WorkDir ?? Path.Combine(Path.GetTempPath(), $"okv-lab-{started:yyyyMMdd-HHmmss}"));
        Directory.CreateDirectory(work);
        log.WriteLine($"okv-lab: working in {work}; load average {loadBefore}");

        // First, on a machine with nothing of ours running yet: the micro benchmarks (child processes, one at a time).
        IReadOnlyList<MicroResult> micro = [];
        if (options.Runs(LabPart.Micro))
        {
            micro = await MicroBench.Run(BenchmarksDll, KmipBenchmarksDll, work, log, ct);
        }
        else
        {
            _notRun.Add("micro benchmarks: skipped (--skip micro)");
        }

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

            var profiles = new List<NodeProfile>();
            var profiler = new NodeProfiler(work, log);
            if (options.Runs(LabPart.Profile))
            {
                // The runs the latency and write targets judge, again, with node1 profiled for most of each.
                foreach (var op in new[] { LoadOperation.Create, LoadOperation.Get })
                {
                    await Phase($"profile ({op})", async () =>
                    {
                        var run = new KmipMacro(options, log).RunOne(Systems.Okv, targets[0].Servers, op, Targets.GetP99Clients, cert, key, ca, ct);
                        await Task.Delay(TimeSpan.FromSeconds(1), ct);
                        profiles.Add(await profiler.During($"{op} × {Targets.GetP99Clients} clients", cluster.Nodes[0], await cluster.Pid(cluster.Nodes[0]),
                            TimeSpan.FromSeconds(Math.Max(2, options.Seconds - 2)), ct));
                        await run;
                    });
                }
            }
            else
            {
                _notRun.Add("profiles: skipped (--skip profile)");
            }

            var scale = new List<ScaleResult>();
            if (options.Runs(LabPart.Scale))
            {
                var load = new ScaleLoad(options, log);
                await Phase("scale (OkvActors)", async () => scale.Add(await load.Okv(cluster, options.Objects, ct)));
                if (etcd is not null)
                {
                    await Phase("scale (etcd)", async () => scale.Add(await load.Etcd(etcd, options.Objects, ct)));
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

            var recovery = new List<RecoveryResult>();
            var restart = new ColdRestart(log);
            if (options.Runs(LabPart.Restart))
            {
                await Phase("cold restart (OkvActors)", async () => recovery.Add(await restart.Okv(cluster, ct)));
                if (etcd is not null)
                {
                    await Phase("cold restart (etcd)", async () => recovery.Add(await restart.Etcd(etcd, etcdClient, await etcdClient.Count(etcd.Endpoint(0), ct), ct)));
                }
            }
            else
            {
                _notRun.Add("cold restart of the loaded systems: skipped (--skip restart)");
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

            if (options.Runs(LabPart.Large))
            {
                await Fresh(work, scale, recovery, profiles, etcdClient, ct);
            }
            else
            {
                _notRun.Add($"loads of {string.Join(" and ", options.FreshSizes.Select(n => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))} records " +
                    "into fresh clusters, their memory and cold restart: skipped (--skip large)");
            }

            NotRunByDesign();
            var comparisons = Ratios.Compare(macro);
            var verdicts = Targets.Judge(macro, comparisons, availability, convergence, scale, recovery);
            var machine = new MachineInfo(Environment.ProcessorCount, RuntimeInformation.OSDescription, Environment.Version.ToString(), loadBefore, LoadAverage.Now());
            return new LabReport(started, DateTimeOffset.UtcNow, machine, command, options.ValueBytes, macro, comparisons, availability, convergence, scale, growth, verdicts, _notRun, _notes,
                recovery, profiles, micro);
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
    /// Scale on fresh clusters (issue #7: memory per node and recovery after a cold restart at 100k and 1M): for each of
    /// <see cref="LabOptions.FreshSizes"/>, a fresh OkvActors cluster sized for it, loaded, cold-restarted and stopped
    /// (at the largest, node1 is profiled idle first: what a loaded node does with nothing to do); then a fresh etcd
    /// cluster the same way. Each on ports of its own beside the lab's systems, one at a time.
    /// </summary>
    private async Task Fresh(string work, List<ScaleResult> scale, List<RecoveryResult> recovery, List<NodeProfile> profiles, EtcdClient etcdClient, CancellationToken ct)
    {
        var load = new ScaleLoad(options, log);
        var restart = new ColdRestart(log);
        foreach (var size in options.FreshSizes)
        {
            await Phase($"fresh cluster (OkvActors, {size:N0})", async () =>
            {
                await using var okv = await ClusterUnderTest.Start(Path.Combine(work, $"okv-fresh-{size}"), 3, options.BasePort + ClusterGrowth.PortOffset,
                    LabOptions.ShardsFor(size), log, ct);
                scale.Add(await load.Okv(okv, size, ct) with { FreshCluster = true });
                if (options.Runs(LabPart.Profile) && size == options.FreshSizes[^1])
                {
                    await Task.Delay(IdleSettle, ct);
                    profiles.Add(await new NodeProfiler(work, log).During($"idle after {size:N0} objects", okv.Nodes[0], await okv.Pid(okv.Nodes[0]), IdleProfile, ct));
                }

                recovery.Add(await restart.Okv(okv, ct) with { FreshCluster = true });
            });
            if (options.Runs(LabPart.Etcd))
            {
                await Phase($"fresh cluster (etcd, {size:N0})", async () =>
                {
                    await using var etcd = await EtcdCluster.Start(Path.Combine(work, $"etcd-fresh-{size}"), options.BasePort + FreshEtcdPortOffset, etcdClient, log, ct);
                    scale.Add(await load.Etcd(etcd, size, ct) with { FreshCluster = true });
                    recovery.Add(await restart.Etcd(etcd, etcdClient, size, ct) with { FreshCluster = true });
                });
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
        _notRun.Add("the rest of the BenchmarkDotNet suite (the in-process vault's create/get/encrypt, shard sizes beyond 250 and 4000): `build.ps1 bench -Micro`");
        _notRun.Add("issue #3's other scale figures (paced single writes, a wiped node's recovery, idle CPU over time): okv-load, `build.ps1 bench -Scale` (tests/OkvActors.Benchmarks/RESULTS.md)");
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
        var (exit, stdout, stderr) = await ChildProcess.Run(host, [Path.Combine(AppContext.BaseDirectory, "okv.dll"), .. args], null, null, OkvCommandTimeout, CancellationToken.None);
        return exit == 0 ? stdout : throw new LabException($"okv {args[0]} failed ({exit}): {stderr.Trim()}");
    }
}
