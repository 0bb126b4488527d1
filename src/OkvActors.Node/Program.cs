using System.CommandLine;
using OkvActors.Node.Cli;

if (Environment.GetEnvironmentVariable("OKV_EXP_SLL") == "1") System.Runtime.GCSettings.LatencyMode = System.Runtime.GCLatencyMode.SustainedLowLatency;

// Long enough for `okv up` and `okv run` to leave the cluster gracefully after SIGTERM/Ctrl-C.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) };
return await OkvCommandLine.Build().Parse(args).InvokeAsync(invocation);
