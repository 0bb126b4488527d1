using System.Runtime.InteropServices;
using OkvActors.Chaos;
using OkvActors.Chaos.Faults;
using OkvActors.Chaos.Lab;

ChaosOptions options;
try
{
    if (args is ["--help" or "-h"])
    {
        Console.WriteLine(ChaosOptions.Usage);
        return 0;
    }

    options = ChaosOptions.Parse(args);
}
catch (FormatException e)
{
    Console.Error.WriteLine($"okv-chaos: {e.Message}");
    Console.Error.WriteLine(ChaosOptions.Usage);
    return 2;
}

// The seed first, so any run (also one that fails or is killed) can be replayed.
Console.WriteLine($"okv-chaos: seed {options.Seed}");
if (options.PlanOnly)
{
    foreach (var fault in FaultPlan.Generate(options.Seed, options.Nodes, options.Duration, partitions: options.UseNetworkLab, kinds: options.Kinds))
    {
        Console.WriteLine(fault);
    }

    return 0;
}

if (options.UseNetworkLab && !NetworkLab.Available(out var why))
{
    Console.Error.WriteLine($"okv-chaos: {why}; run as root with iproute2, or pass --no-lab (no partitions)");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
// SIGTERM too: the finally blocks stop the nodes and remove the network lab.
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});

try
{
    var report = await new ChaosRun(options, Console.Out).Run(cancel.Token);
    return report.Passed ? 0 : 1;
}
catch (Exception e) when (e is ChaosException or IOException or OperationCanceledException or OkvActors.Cluster.Control.ControlException
                              or System.Security.Authentication.AuthenticationException or System.Net.Sockets.SocketException or OkvActors.KmipLoad.KmipLoadException)
{
    Console.Error.WriteLine($"okv-chaos: the run could not be completed (seed {options.Seed}): {e.GetType().Name}: {e.Message}");
    return 3;
}
