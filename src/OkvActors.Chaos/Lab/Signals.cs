using System.Runtime.InteropServices;

namespace OkvActors.Chaos.Lab;

/// <summary>POSIX signals to a process by its id: the faults (kill -9, SIGSTOP/SIGCONT) and a graceful stop.</summary>
internal static class Signals
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigCont = 18;
    public const int SigStop = 19;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);

    public static bool Send(int pid, int signal) => SysKill(pid, signal) == 0;
}
