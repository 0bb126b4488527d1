using System.Globalization;
using System.Text;
using OkvActors.Cluster.Load;

namespace OkvActors.Lab.Report;

/// <summary>The Markdown summary of one lab run: every OkvActors figure with its peer beside it, the ratios and the targets.</summary>
public static class SummaryWriter
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string Render(LabReport report, IReadOnlyList<string> charts)
    {
        var md = new StringBuilder();
        Line(md, $"# Performance lab: {report.Started:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        Line(md, $"Reproduce: `dotnet tool restore && dotnet pwsh ./build.ps1 bench` (this run: `{report.Command}`). Raw figures: the `.json` beside this file.");
        Line(md, $"Machine: {report.Machine.Cores} cores, {report.Machine.Os}, .NET {report.Machine.Runtime}. " +
            $"Load average (1/5/15 min) before: **{report.Machine.LoadBefore}**, after: **{report.Machine.LoadAfter}**. " +
            "The machine is shared: read ratios taken in this run, not absolute figures.");
        Line(md, $"Duration {(report.Finished - report.Started).TotalMinutes:0.0} min. etcd values are {report.ValueBytes} bytes (one key-store record).");
        md.AppendLine();

        Line(md, "## Targets");
        md.AppendLine();
        Line(md, "| target | measured | verdict | detail |");
        Line(md, "|---|---|---|---|");
        foreach (var t in report.Targets)
        {
            Line(md, $"| {t.Target} | {t.Measured} | {Verdict(t.Met)} | {t.Detail} |");
        }

        md.AppendLine();
        Line(md, "## Throughput and latency, OkvActors beside its peer");
        md.AppendLine();
        Line(md, "Each run is one operation only, closed loop (one request in flight per client). OkvActors: 3-node `okv up` cluster, clients round robin over its KMIP endpoints. " +
            "Ratio = OkvActors ops/s ÷ peer ops/s at the same concurrency.");
        md.AppendLine();
        Line(md, "| operation | clients | OkvActors ops/s | p50 ms | p99 ms | peer | peer ops/s | peer p50 ms | peer p99 ms | ratio | load |");
        Line(md, "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
        foreach (var ours in report.Macro.Where(r => r.System == Systems.Okv))
        {
            var peers = report.Comparisons.Where(c => c.Operation == ours.Operation && c.Clients == ours.Clients).ToList();
            if (peers.Count == 0)
            {
                Line(md, $"| {ours.Operation} | {ours.Clients} | {Ops(ours)} | {Ms(ours.P50Ms)} | {Ms(ours.P99Ms)} | — | | | | | {ours.LoadAverage:0.0} |");
            }

            foreach (var c in peers)
            {
                var theirs = report.Macro.First(r => r.System == c.Peer && r.Operation == c.PeerOperation && r.Clients == c.Clients);
                Line(md, $"| {ours.Operation} | {ours.Clients} | {Ops(ours)} | {Ms(ours.P50Ms)} | {Ms(ours.P99Ms)} | {c.Peer} {c.PeerOperation} | {Ops(theirs)} | " +
                    $"{(theirs.Failure is null ? Ms(theirs.P50Ms) : "—")} | {(theirs.Failure is null ? Ms(theirs.P99Ms) : "—")} | {Ratio(c.Ratio)} | {ours.LoadAverage:0.0} / {theirs.LoadAverage:0.0} |");
            }
        }

        var errors = report.Macro.Where(r => r.Errors > 0 || r.Failure is not null).ToList();
        if (errors.Count > 0)
        {
            md.AppendLine();
            Line(md, "Runs with errors: " + string.Join("; ", errors.Select(r => $"{r.System} {r.Operation} × {r.Clients}: {(r.Failure ?? $"{r.Errors} errors of {r.Count + r.Errors}")}")));
        }

        if (charts.Count > 0)
        {
            md.AppendLine();
            foreach (var chart in charts)
            {
                Line(md, $"![{Path.GetFileNameWithoutExtension(chart)}]({chart})");
            }
        }

        md.AppendLine();
        Line(md, "## Availability: kill -9 under write load");
        md.AppendLine();
        if (report.Availability.Count == 0)
        {
            Line(md, "Not run.");
        }
        else
        {
            Line(md, "| system | killed | clients | s | acknowledged | failed requests | lost acknowledged (verified) | write gap on survivors ms | longest gap before the kill ms | removed after s | rejoin s |");
            Line(md, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var a in report.Availability)
            {
                Line(md, $"| {a.System} | {a.Victim} | {a.Clients} | {a.Seconds:0.#} | {a.Acknowledged} | {a.FailedRequests} | {a.LostAcknowledged} ({a.Verified}) | {a.WriteGapMs:0.0} | " +
                    $"{(a.GapBeforeKillMs is { } b ? b.ToString("0.0", C) : "—")} | " +
                    $"{(a.RemovedSeconds is { } r ? r.ToString("0.0", C) : "—")} | {(a.RejoinSeconds is { } j ? j.ToString("0.0", C) : "never")} |");
            }

            md.AppendLine();
            Line(md, "- The longest gap before the kill is the same load's own worst pause (first second left out): the part of the write gap the kill did not cause.");
            foreach (var a in report.Availability)
            {
                Line(md, $"- {a.System}: {a.How}." + (a.ErrorSamples.Count > 0 ? $" Error samples: {string.Join("; ", a.ErrorSamples.Take(3))}" : ""));
            }
        }

        md.AppendLine();
        Line(md, "## Convergence: write on one member until readable on every member");
        md.AppendLine();
        if (report.Convergence.Count == 0)
        {
            Line(md, "Not run.");
        }
        else
        {
            Line(md, "| system | samples | never seen | p50 ms | p99 ms | max ms | how |");
            Line(md, "|---|---:|---:|---:|---:|---:|---|");
            foreach (var c in report.Convergence)
            {
                Line(md, $"| {c.System} | {c.Samples} | {c.NeverSeen} | {Ms(c.P50Ms)} | {Ms(c.P99Ms)} | {Ms(c.MaxMs)} | {c.How} |");
            }
        }

        md.AppendLine();
        Line(md, "## Scale: records loaded, then resident memory per member");
        md.AppendLine();
        if (report.Scale.Count == 0)
        {
            Line(md, "Not run.");
        }
        else
        {
            Line(md, "| system | records | acknowledged | failed | s | records/s | RSS per member MiB (peak) | how |");
            Line(md, "|---|---:|---:|---:|---:|---:|---|---|");
            foreach (var s in report.Scale.OrderBy(s => s.FreshCluster).ThenBy(s => s.Objects).ThenBy(s => s.System != Systems.Okv))
            {
                var members = string.Join(", ", s.Members.Select(m => string.Format(C, "{0} {1:0} ({2:0})", m.Name, m.RssBytes / 1048576.0, m.PeakRssBytes / 1048576.0)));
                Line(md, string.Format(C, "| {0} | {1} | {2} | {3} | {4:0.0} | {5:0} | {6} | {7} |", Where(s.System, s.FreshCluster), s.Objects, s.Acknowledged, s.Failed, s.Seconds, s.PerSecond, members, s.How));
            }

            md.AppendLine();
            Line(md, "Rows without \"fresh\" are the lab's own systems: convergence, the node kill and the first cold restart below ran on them after this load " +
                "(and after the macro runs' creations). A fresh cluster held only its load; it was cold-restarted (below) and stopped.");
        }

        md.AppendLine();
        Line(md, "## Cold restart: every member killed -9 at once, then restarted");
        md.AppendLine();
        if (report.Recovery is not { Count: > 0 } recovery)
        {
            Line(md, "Not run.");
        }
        else
        {
            Line(md, "| system | records | every member serving after s | per member s | RSS per member after MiB | serving means |");
            Line(md, "|---|---:|---:|---|---|---|");
            foreach (var r in recovery.OrderBy(r => r.FreshCluster).ThenBy(r => r.Records).ThenBy(r => r.System != Systems.Okv))
            {
                var members = string.Join(", ", r.ServingSeconds.Select(m => $"{m.Key} {(m.Value is { } v ? v.ToString("0.0", C) : "never")}"));
                var memory = string.Join(", ", r.MembersAfter.Select(m => string.Format(C, "{0} {1:0}", m.Name, m.RssBytes / 1048576.0)));
                Line(md, string.Format(C, "| {0} | {1:N0} | {2} | {3} | {4} | {5} |", Where(r.System, r.FreshCluster), r.Records,
                    r.AllServingSeconds is { } all ? all.ToString("0.0", C) : "**not all back**", members, memory, r.How));
            }
        }

        md.AppendLine();
        Line(md, "## Profiles: where a node's time goes during the judged runs");
        md.AppendLine();
        if (report.Profiles is not { Count: > 0 } profiles)
        {
            Line(md, "Not run.");
        }
        else
        {
            Line(md, "dotnet-counters (runtime meters) and dotnet-trace (`collect-linux --profile cpu-sampling`, kernel CPU samples with managed frames) " +
                "attached to one node for the window; shares are inclusive % of that node's CPU samples, so they nest and do not add up.");
            md.AppendLine();
            Line(md, "| run | node | window s | CPU % of a core | GC paused % | allocated MB/s | GC gen0/1/2 | lock contentions/s | thread-pool work items/s | working set MiB |");
            Line(md, "|---|---|---:|---:|---:|---:|---|---:|---:|---:|");
            foreach (var p in profiles)
            {
                Line(md, p.Meters is { } m
                    ? string.Format(C, "| {0} | {1} | {2:0.#} | {3:0.0} | {4:0.0} | {5:0.0} | {6}/{7}/{8} | {9:0.0} | {10:0} | {11:0} |", p.Run, p.Node, p.WindowSeconds,
                        m.CpuPercent, m.GcPausePercent, m.AllocatedMbPerSecond, m.Gen0, m.Gen1, m.Gen2, m.LockContentionsPerSecond, m.WorkItemsPerSecond, m.WorkingSetMb)
                    : $"| {p.Run} | {p.Node} | {p.WindowSeconds:0.#} | {p.CountersFailure ?? "no counters"} | | | | | | |");
            }

            md.AppendLine();
            foreach (var p in profiles)
            {
                if (p.TraceFailure is not null)
                {
                    Line(md, $"- **{p.Run}**: no CPU profile ({p.TraceFailure}).");
                    continue;
                }

                Line(md, $"- **{p.Run}**, components: {Shares(p.Components)}.");
                Line(md, $"  Heaviest frames: {Shares(p.Heaviest)}.");
            }
        }

        md.AppendLine();
        Line(md, "## Cluster size: formed from nothing, idle, then Create");
        md.AppendLine();
        if (report.Growth.Count == 0)
        {
            Line(md, "Not run.");
        }
        else
        {
            var smallest = report.Growth.MinBy(g => g.Nodes)!;
            Line(md, "| nodes | formed in s | idle CPU per node % (max) | RSS per node MiB | Create ops/s | p50 ms | p99 ms | p99 ÷ smallest cluster's | convergence p50 ms | convergence p99 ms |");
            Line(md, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var g in report.Growth)
            {
                var growth = smallest.Create.P99Ms > 0 ? Ratio(g.Create.P99Ms / smallest.Create.P99Ms) : "—";
                Line(md, string.Format(C, "| {0} | {1:0.0} | {2:0.0} ({3:0.0}) | {4:0} | {5} | {6} | {7} | {8} | {9} | {10} |", g.Nodes, g.FormationSeconds,
                    g.IdleCpuMeanPercent, g.IdleCpuMaxPercent, g.RssMeanBytes / 1048576.0, Ops(g.Create), Ms(g.Create.P50Ms), Ms(g.Create.P99Ms), growth,
                    Ms(g.Convergence.P50Ms), Ms(g.Convergence.P99Ms)));
            }

            md.AppendLine();
            Line(md, $"Each size is a fresh `okv up` cluster on this machine, timed until every node is admitted and Up; idle CPU is % of one core over 10 s " +
                $"once settled; Create is KMIP from {report.Growth[0].Create.Clients} clients spread over every node; a write goes to every node, so each " +
                "Create costs each node a replica write: on 2 cores the latency grows with the node count.");
        }

        md.AppendLine();
        md.Append(MicroSummary.Render(report.Micro ?? []));

        md.AppendLine();
        Line(md, "## Not run in this lab");
        md.AppendLine();
        foreach (var n in report.NotRun)
        {
            Line(md, $"- {n}");
        }

        if (report.Notes.Count > 0)
        {
            md.AppendLine();
            Line(md, "## Notes");
            md.AppendLine();
            foreach (var n in report.Notes)
            {
                Line(md, $"- {n}");
            }
        }

        return md.ToString();
    }

    private static string Where(string system, bool fresh) => fresh ? system + ", fresh" : system;

    private static string Shares(IReadOnlyList<ProfileFrame> frames) =>
        frames.Count == 0 ? "none resolved" : string.Join("; ", frames.Select(f => string.Format(C, "`{0}` {1:0.#}%", f.Frame, f.InclusivePercent)));

    internal static string Verdict(bool? met) => met switch { true => "met", false => "**missed**", null => "not measured" };

    internal static string Ratio(double? ratio) => ratio is { } r ? r.ToString(r >= 10 ? "0.0" : "0.00", C) + "×" : "—";

    private static string Ops(MacroRow row) => row.Failure is null ? row.OpsPerSecond.ToString("0", C) : "failed";

    private static string Ms(double ms) => ms.ToString(ms >= 100 ? "0" : "0.00", C);

    private static void Line(StringBuilder md, string text) => md.Append(text).Append('\n');
}
