using System.Diagnostics;
using Xunit;

namespace OkvActors.Lab.Tests;

/// <summary>How the lab runs its tools (okv, BenchmarkDotNet, PyKMIP's script, dotnet-counters, dotnet-trace): real child processes.</summary>
public class ChildProcessTests
{
    [Fact]
    public async Task A_child_gives_its_exit_code_and_both_outputs()
    {
        var (exit, stdout, stderr) = await ChildProcess.Run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], null, null, TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal((3, "out\n", "err\n"), (exit, stdout, stderr));
    }

    [Fact]
    public async Task A_child_past_its_time_is_killed_and_says_so()
    {
        var clock = Stopwatch.StartNew();
        var (exit, _, stderr) = await ChildProcess.Run("/bin/sleep", ["60"], null, null, TimeSpan.FromMilliseconds(300), CancellationToken.None);

        Assert.Equal(-1, exit);
        Assert.Contains("did not finish within", stderr, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_program_that_does_not_exist_is_a_reason_not_an_exception()
    {
        var (exit, _, stderr) = await ChildProcess.Run("/nonexistent/okv-tool", [], null, null, TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(-1, exit);
        Assert.Contains("could not start /nonexistent/okv-tool", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_log_file_gets_the_output_as_it_comes()
    {
        var log = Path.Combine(Path.GetTempPath(), $"okv-lab-child-{Guid.NewGuid():N}.log");
        try
        {
            var (exit, stdout, _) = await ChildProcess.Run("/bin/sh", ["-c", "echo line1; echo line2"], Path.GetTempPath(), log, TimeSpan.FromMinutes(1), CancellationToken.None);

            Assert.Equal((0, ""), (exit, stdout));
            Assert.Equal("line1\nline2\n", await File.ReadAllTextAsync(log));
        }
        finally
        {
            File.Delete(log);
        }
    }
}
