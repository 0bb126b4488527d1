using OkvActors.Chaos.Checks;
using OkvActors.Chaos.Faults;
using OkvActors.Chaos.History;
using OkvActors.Chaos.Lab;
using Xunit.Abstractions;
using Xunit;

namespace OkvActors.Chaos.Tests;

/// <summary>
/// The short chaos profile of the default suite: real nodes (OS processes, mutual TLS) in network namespaces, a real
/// KMIP workload and real faults from fixed seeds. Seed 227 over 75 s hits the cluster with a pause, a partition, a
/// wipe and a kill of the controller; the same run against a build that acknowledges writes before replicating them
/// must fail. One class, so the two clusters never run at once. Needs root and iproute2 (skipped otherwise).
/// </summary>
public sealed class ShortProfileTests(ITestOutputHelper output)
{
    private static ChaosOptions Options(int seed, double duration, int basePort, string dir, bool broken = false, double rate = 4) =>
        ChaosOptions.Parse(["--seed", seed.ToString(), "--nodes", "3", "--duration", duration.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--base-port", basePort.ToString(), "--dir", dir, "--rate", rate.ToString(System.Globalization.CultureInfo.InvariantCulture), .. broken ? new[] { "--broken" } : []]);

    private async Task<Report.ChaosReport> Run(ChaosOptions options)
    {
        var log = new StringWriter();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
            return await new ChaosRun(options, TextWriter.Synchronized(log)).Run(timeout.Token);
        }
        finally
        {
            output.WriteLine(log.ToString());
            Assert.DoesNotContain($"okvchaos{options.Lab}n", Namespaces());
        }
    }

    private static string Namespaces()
    {
        var info = new System.Diagnostics.ProcessStartInfo("ip", "netns list") { RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(info)!;
        var list = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return list;
    }

    [SkippableFact]
    public async Task Seed_227_pause_partition_wipe_and_controller_kill_pass_every_check()
    {
        Skip.IfNot(NetworkLab.Available(out var why), why);
        var dir = Directory.CreateTempSubdirectory("okv-chaos-short-").FullName;

        var report = await Run(Options(227, 75, 37000, dir));

        Assert.True(report.Passed, string.Join("\n", report.Violations));
        Assert.Equal([FaultKind.Pause, FaultKind.Partition, FaultKind.Wipe, FaultKind.Kill], report.Timeline.Select(f => f.Kind));
        Assert.All(report.Timeline, f => Assert.NotNull(f.End));
        Assert.Contains(report.Final.Registry, p => p.Reason.Contains("the controller") && p.Answered);
        Assert.True(report.History.Count(o => o.CreatedObject) > 50, $"{report.History.Count(o => o.CreatedObject)} objects acknowledged");
        Assert.Equal(report.History.Count(o => o.CreatedObject), report.Final.Objects.Count);
        Assert.True(report.Final.Converged);
        Assert.True(File.Exists(Path.Combine(dir, "timeline.png")));
        Assert.StartsWith("seed 227\n", File.ReadAllText(Path.Combine(dir, "report.txt")));
        Assert.Equal(report.History.Count, OperationLog.ReadJsonLines(Path.Combine(dir, "history.jsonl")).Count);
        Directory.Delete(dir, recursive: true);
    }

    [SkippableFact]
    public async Task A_build_that_acknowledges_before_replicating_loses_writes_and_is_caught()
    {
        Skip.IfNot(NetworkLab.Available(out var why), why);
        var dir = Directory.CreateTempSubdirectory("okv-chaos-broken-").FullName;

        // Seed 10 over 30 s: node3's disk is lost 8 s in (kill -9, store emptied).
        var report = await Run(Options(10, 30, 37200, dir, broken: true, rate: 10));

        Assert.False(report.Passed);
        var wipe = Assert.Single(report.Timeline);
        Assert.Equal((FaultKind.Wipe, "node3"), (wipe.Kind, wipe.Nodes.Single()));
        var lost = report.Violations.Where(v => v.Check == HistoryChecker.AcknowledgedWritesSurvive && v.Message.Contains("is lost")).ToList();
        Assert.NotEmpty(lost);
        // Each lost write was acknowledged by node3 before its disk went.
        var byId = report.History.ToDictionary(o => o.Id);
        Assert.All(lost, v => Assert.True(byId[v.Operations[0]] is { Node: "node3" } op && op.End <= wipe.Start, $"{v}"));
        Directory.Delete(dir, recursive: true);
    }
}
