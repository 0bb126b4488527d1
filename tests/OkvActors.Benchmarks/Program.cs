using BenchmarkDotNet.Running;

// `dotnet run -c Release -- --filter '*'` runs every benchmark; `--list flat` names them. Results (markdown,
// CSV, JSON) land in BenchmarkDotNet.Artifacts/ in the working directory.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
