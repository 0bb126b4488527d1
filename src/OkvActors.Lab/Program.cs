using System.Text.Json;
using OkvActors.Lab;
using OkvActors.Lab.Report;
using OkvActors.LoadGen;

LabOptions options;
try
{
    if (args is ["--help" or "-h"])
    {
        Console.WriteLine(LabOptions.Usage);
        return 0;
    }

    options = LabOptions.Parse(args);
}
catch (FormatException e)
{
    Console.Error.WriteLine($"okv-lab: {e.Message}");
    Console.Error.WriteLine(LabOptions.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

LabReport report;
try
{
    report = await new LabRunner(options, $"okv-lab {string.Join(' ', args)}".TrimEnd(), Console.Out).Run(cancel.Token);
}
catch (Exception e) when (e is LabException or LoadGenException or IOException or OperationCanceledException)
{
    Console.Error.WriteLine($"okv-lab: error: {e.Message}");
    return 1;
}

// Results are written even when targets are missed: a miss is a finding.
Directory.CreateDirectory(options.Out);
var stamp = report.Started.ToString("yyyyMMdd-HHmmss");
var json = Path.Combine(options.Out, $"{stamp}.json");
await File.WriteAllTextAsync(json, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
var charts = Charts.Write(report.Macro, options.Out, stamp);
var summary = SummaryWriter.Render(report, charts);
await File.WriteAllTextAsync(Path.Combine(options.Out, $"{stamp}.md"), summary);
await File.WriteAllTextAsync(Path.Combine(options.Out, "latest.md"), summary);
Console.WriteLine();
Console.WriteLine(summary);
Console.WriteLine($"okv-lab: wrote {json}, {stamp}.md (also latest.md) and {charts.Count} charts in {options.Out}");
return 0;
