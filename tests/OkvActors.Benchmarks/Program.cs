using BenchmarkDotNet.Running;
using OkvActors.Benchmarks;

// `dotnet run -c Release -- --filter '*'` runs every benchmark; `--list flat` names them. Results (markdown,
// CSV, JSON) land in BenchmarkDotNet.Artifacts/ in the working directory. `-- memory` runs ReplicaMemoryProbe instead.
if (args is ["memory", ..])
{
    ReplicaMemoryProbe.Run(args);
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
