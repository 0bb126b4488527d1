using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OkvActors.Node.Tests.Infrastructure;

public sealed record OkvResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;

    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>Runs the real `okv` program (built beside the tests) as an OS process.</summary>
public static class Okv
{
    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    private static extern int SysKill(int pid, int signal);

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "okv.dll");

    public static ProcessStartInfo StartInfo(IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        return info;
    }

    public static async Task<OkvResult> Run(IEnumerable<string> args, IDictionary<string, string>? env = null, TimeSpan? timeout = null)
    {
        using var process = Process.Start(StartInfo(args, env))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"okv {string.Join(' ', args)} did not finish");
        }

        return new OkvResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a long-running `okv` (run/up) with its output appended to a log file.</summary>
    public static Process StartLogged(IEnumerable<string> args, string logFile, IDictionary<string, string>? env = null)
    {
        var info = StartInfo(args, env);
        var process = Process.Start(info)!;
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var gate = new object();
        var closed = false;
        void Write(string? line)
        {
            lock (gate)
            {
                if (line is not null && !closed)
                {
                    log.WriteLine(line);
                }
            }
        }

        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.Exited += (_, _) =>
        {
            // Output events can still arrive after Exited: close the log under the same lock.
            process.WaitForExit();
            lock (gate)
            {
                closed = true;
                log.Dispose();
            }
        };
        process.EnableRaisingEvents = true;
        return process;
    }

    public static void Kill9(int pid) => SysKill(pid, 9);

    public static void Terminate(int pid) => SysKill(pid, 15);

    /// <summary>SIGSTOP: the process is frozen (a hung host, as peers see it) until <see cref="Resume"/>.</summary>
    public static void Freeze(int pid) => SysKill(pid, 19);

    /// <summary>SIGCONT: a frozen process runs on.</summary>
    public static void Resume(int pid) => SysKill(pid, 18);

    public static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
