using System.Globalization;
using System.Text.Json;
using OkvActors.KmipLoad;

LoadOptions options;
try
{
    if (args is ["--help" or "-h"])
    {
        Console.WriteLine(LoadOptions.Usage);
        return 0;
    }

    options = LoadOptions.Parse(args);
}
catch (Exception e) when (e is FormatException or IOException or JsonException or KeyNotFoundException or InvalidOperationException)
{
    Console.Error.WriteLine($"okv-kmip-load: {e.Message}");
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

LoadReport report;
try
{
    report = await new LoadRunner(options, options.Json ? TextWriter.Null : Console.Out).Run(cancel.Token);
}
catch (Exception e) when (e is KmipLoadException or IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException
    or System.Security.Cryptography.CryptographicException or OperationCanceledException or OkvActors.Kmip.Ttlv.TtlvFormatException)
{
    Console.Error.WriteLine($"okv-kmip-load: error: {e.GetType().Name}: {e.Message}");
    return 1;
}

if (options.Json)
{
    Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
}
else
{
    var c = CultureInfo.InvariantCulture;
    Console.WriteLine();
    Console.WriteLine($"target {string.Join(' ', report.Servers)}  clients {report.Clients}  {report.Seconds:F1} s  mix {report.Mix}");
    Console.WriteLine($"{"operation",-10} {"count",9} {"errors",7} {"ops/s",9} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"max ms",8}");
    foreach (var s in report.Operations.Append(report.Total))
    {
        Console.WriteLine(string.Format(c, "{0,-10} {1,9} {2,7} {3,9:F0} {4,8:F2} {5,8:F2} {6,8:F2} {7,8:F1}", s.Operation, s.Count, s.Errors, s.OpsPerSecond, s.P50Ms, s.P95Ms, s.P99Ms, s.MaxMs));
    }
}

foreach (var sample in report.ErrorSamples)
{
    Console.Error.WriteLine($"okv-kmip-load: error sample: {sample}");
}

return report.Errors > 0 ? 1 : 0;
