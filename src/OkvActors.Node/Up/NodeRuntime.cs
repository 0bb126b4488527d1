using System.Diagnostics;

namespace OkvActors.Node.Up;

/// <summary>
/// Runtime settings a node process gets from its environment, because the runtime reads them before any of our code
/// runs. Every launcher of `okv run` (okv up, the chaos and load harnesses, the tests) applies them; a variable the
/// launcher's own environment sets wins, and a service manager sets them in the unit (README, "runtime settings").
/// </summary>
public static class NodeRuntime
{
    /// <summary>
    /// <c>DOTNET_GCgen0size</c>, the smallest gen0 budget, 64 MiB (the runtime reads it as hex). Without it the runtime
    /// sizes gen0 from the CPU's last-level cache; a virtual machine that does not report its caches (this project's
    /// 2-core AMD EPYC host) gets the fallback of 256 KiB–6 MiB, and a node with a 1M-object replica collected gen0
    /// ~7 times a second under 1,000 writes/s, each pass paying the fixed cost of a 1.4 GB heap
    /// (tests/OkvActors.Benchmarks/RESULTS.md, "a host that hides its caches").
    /// </summary>
    public const string Gen0SizeVariable = "DOTNET_GCgen0size";

    public const long Gen0SizeBytes = 64L * 1024 * 1024;

    public static IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        [Gen0SizeVariable] = "0x" + Gen0SizeBytes.ToString("x"),
    };

    /// <summary>Adds each setting <paramref name="info"/>'s environment (inherited from this process) does not set already.</summary>
    public static void Apply(ProcessStartInfo info)
    {
        foreach (var (name, value) in Environment)
        {
            info.Environment.TryAdd(name, value);
        }
    }
}
