using System.Diagnostics;

namespace OkvActors.Lab;

/// <summary>
/// A program the lab runs to its end beside the systems it measures: okv, BenchmarkDotNet, PyKMIP's codec script,
/// dotnet-counters, dotnet-trace. Exit -1 with the reason in stderr when it could not start or ran past its time.
/// </summary>
internal static class ChildProcess
{
    /// <summary>Runs a child to completion; its output goes to <paramref name="logFile"/> when given. Killed with its children on timeout or cancellation.</summary>
    public static async Task<(int Exit, string Stdout, string Stderr)> Run(string file, IReadOnlyList<string> args, string? workingDirectory, string? logFile,
        TimeSpan timeout, CancellationToken ct)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", $"could not start {file}: {e.Message}");
        }

        using (process)
        {
            // BenchmarkDotNet's output (hundreds of KB) streams to its log as it runs: a long run can be followed there.
            await using var log = logFile is null ? null : File.Create(logFile);
            var stdout = log is null ? process.StandardOutput.ReadToEndAsync(CancellationToken.None) : Copy(process.StandardOutput, log);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                ct.ThrowIfCancellationRequested();
                return (-1, await stdout, $"did not finish within {timeout.TotalSeconds:0.#} s");
            }

            var (output, errors) = (await stdout, await stderr);
            if (log is not null)
            {
                await log.WriteAsync(System.Text.Encoding.UTF8.GetBytes(errors), CancellationToken.None);
            }

            return (process.ExitCode, output, errors);
        }

        static async Task<string> Copy(StreamReader from, Stream to)
        {
            await from.BaseStream.CopyToAsync(to, CancellationToken.None);
            return "";
        }
    }

}
