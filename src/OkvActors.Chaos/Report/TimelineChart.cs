using OkvActors.Chaos.Faults;
using ScottPlot;

namespace OkvActors.Chaos.Report;

/// <summary>The run as a PNG: one row per node, its faults as coloured spans and its availability as a line inside the row.</summary>
public static class TimelineChart
{
    public static void Save(ChaosReport report, IReadOnlyList<string> nodes, string path)
    {
        var plot = new Plot();
        var availability = report.Availability(nodes);
        for (var i = 0; i < nodes.Count; i++)
        {
            var row = nodes.Count - i;
            foreach (var fault in report.Timeline.Where(f => f.Nodes.Contains(nodes[i])))
            {
                var span = plot.Add.Rectangle(fault.Start, fault.End ?? report.Seconds, row - 0.45, row + 0.45);
                span.FillStyle.Color = ColorOf(fault.Kind).WithAlpha(0.45);
                span.LineStyle.Width = 0;
            }

            var values = availability[nodes[i]];
            var xs = new List<double>();
            var ys = new List<double>();
            for (var b = 0; b < values.Length; b++)
            {
                if (!double.IsNaN(values[b]))
                {
                    xs.Add((b + 0.5) * report.BucketSeconds);
                    ys.Add(row - 0.4 + 0.8 * values[b]);
                }
            }

            var line = plot.Add.Scatter(xs.ToArray(), ys.ToArray());
            line.Color = Colors.Black;
            line.MarkerSize = 3;
            line.LineWidth = 1.5f;
        }

        foreach (var kind in Enum.GetValues<FaultKind>())
        {
            var legend = plot.Add.Rectangle(0, 0, 0, 0);
            legend.FillStyle.Color = ColorOf(kind).WithAlpha(0.45);
            legend.LegendText = kind.ToString().ToLowerInvariant();
        }

        plot.Axes.Left.SetTicks(Enumerable.Range(0, nodes.Count).Select(i => (double)(nodes.Count - i)).ToArray(), nodes.ToArray());
        plot.Axes.SetLimits(0, Math.Max(report.Seconds, 1), 0.4, nodes.Count + 0.6);
        plot.XLabel("seconds since start");
        plot.Title($"okv-chaos seed {report.Options.Seed}: faults per node, availability (line, share of operations served) — {(report.Passed ? "PASS" : "FAIL")}");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 1400, 120 + 90 * nodes.Count);
    }

    private static Color ColorOf(FaultKind kind) => kind switch
    {
        FaultKind.Kill => Colors.Red,
        FaultKind.Wipe => Colors.Purple,
        FaultKind.Pause => Colors.Orange,
        FaultKind.CutWipe => Colors.Black,
        FaultKind.Downed => Colors.Gray,
        _ => Colors.Blue,
    };
}
