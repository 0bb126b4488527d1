using System.Globalization;
using System.Runtime.InteropServices;

namespace OkvActors.LoadGen;

/// <summary>CPU time and memory of another process, read from /proc (Linux): no diagnostics tools needed.</summary>
public static class ProcessStats
{
    private const int ScClockTicks = 2;

    [DllImport("libc", EntryPoint = "sysconf")]
    private static extern long SysConf(int name);

    private static readonly long TicksPerSecond = OperatingSystem.IsLinux() ? SysConf(ScClockTicks) : 100;

    /// <summary>User plus system CPU time the process has used so far.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds((double)ticks / TicksPerSecond);
    }

    /// <summary>Resident set size now (VmRSS) and its peak (VmHWM), in bytes.</summary>
    public static (long Rss, long PeakRss) Memory(int pid)
    {
        long Field(string[] lines, string name) =>
            lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal)) is { } line
                ? long.Parse(line[name.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024
                : 0;
        var status = File.ReadAllLines($"/proc/{pid}/status");
        return (Field(status, "VmRSS:"), Field(status, "VmHWM:"));
    }

    /// <summary>The process's arguments joined by spaces, to make sure a pid still belongs to the process we mean.</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Running (a zombie, dead but not yet reaped, does not count).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
