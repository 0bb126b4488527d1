using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/OkvActors.Kmip.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
