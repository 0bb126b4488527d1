using System.Globalization;

namespace OkvActors.Lab.Scenarios;

/// <summary>The machine's load averages (/proc/loadavg): the machine is shared, so every figure carries the load it was taken under.</summary>
public static class LoadAverage
{
    public static string Now() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    public static double OneMinute() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var l) ? l : double.NaN;
}
