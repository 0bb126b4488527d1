using ScottPlot;

namespace OkvActors.Lab.Report;

/// <summary>PNG charts (ScottPlot): per operation, throughput and p99 against clients, OkvActors beside each peer.</summary>
public static class Charts
{
    /// <summary>Writes the charts into <paramref name="directory"/> as STAMP-op-throughput.png / STAMP-op-p99.png; returns the file names.</summary>
    public static IReadOnlyList<string> Write(IReadOnlyList<MacroRow> rows, string directory, string stamp)
    {
        var files = new List<string>();
        var clients = rows.Select(r => r.Clients).Distinct().Order().ToArray();
        foreach (var op in rows.Where(r => r.System == Systems.Okv).Select(r => r.Operation).Distinct())
        {
            var series = new List<(string Label, MacroRow[] Rows)> { (Systems.Okv, Ok(rows.Where(r => r.System == Systems.Okv && r.Operation == op))) };
            series.Add(($"{Systems.PyKmip} {op}", Ok(rows.Where(r => r.System == Systems.PyKmip && r.Operation == op))));
            if (op == "Create")
            {
                series.Add(($"{Systems.Etcd} Put", Ok(rows.Where(r => r.System == Systems.Etcd))));
            }

            series.RemoveAll(s => s.Rows.Length == 0);
            foreach (var (metric, label, pick) in new (string, string, Func<MacroRow, double>)[]
                { ("throughput", "ops/s", r => r.OpsPerSecond), ("p99", "p99 latency (ms)", r => r.P99Ms) })
            {
                var plot = new Plot();
                foreach (var (name, points) in series)
                {
                    // Clients double on a log scale: plot against the position in the list, labelled with the count.
                    var scatter = plot.Add.Scatter(points.Select(p => (double)Array.IndexOf(clients, p.Clients)).ToArray(), points.Select(pick).ToArray());
                    scatter.LegendText = name;
                    scatter.MarkerSize = 8;
                }

                plot.Axes.Bottom.SetTicks(Enumerable.Range(0, clients.Length).Select(i => (double)i).ToArray(), clients.Select(c => c.ToString()).ToArray());
                plot.Title($"{op}: {label}");
                plot.XLabel("concurrent clients");
                plot.YLabel(label);
                plot.Axes.Left.Min = 0;
                plot.ShowLegend(Alignment.UpperLeft);
                var file = $"{stamp}-{op.ToLowerInvariant()}-{metric}.png";
                plot.SavePng(Path.Combine(directory, file), 800, 450);
                files.Add(file);
            }
        }

        return files;
    }

    private static MacroRow[] Ok(IEnumerable<MacroRow> rows) => rows.Where(r => r.Failure is null).OrderBy(r => r.Clients).ToArray();
}
