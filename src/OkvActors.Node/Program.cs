using System.CommandLine;
using OkvActors.Node.Cli;

// Long enough for `okv up` and `okv run` to leave the cluster gracefully after SIGTERM/Ctrl-C.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) };
return await OkvCommandLine.Build().Parse(args).InvokeAsync(invocation);
