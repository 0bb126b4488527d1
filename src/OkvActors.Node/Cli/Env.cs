namespace OkvActors.Node.Cli;

/// <summary>Environment overrides, so one binary runs anywhere (containers, test harnesses).</summary>
public static class Env
{
    public static string? Get(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    public static int? GetInt(string name) => Get(name) is { } v && int.TryParse(v, out var i) ? i : null;
}
