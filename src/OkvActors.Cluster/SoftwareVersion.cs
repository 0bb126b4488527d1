using System.Reflection;

namespace OkvActors.Cluster;

/// <summary>The software version nodes compare at admission: all members run the same one.</summary>
public static class SoftwareVersion
{
    /// <summary>
    /// The assembly's informational version, unless OKV_SOFTWARE_VERSION names another: upgrade
    /// drills and tests use it to present a node of a different version without a second build.
    /// </summary>
    public static string Current =>
        Environment.GetEnvironmentVariable("OKV_SOFTWARE_VERSION") is { Length: > 0 } overridden
            ? overridden
            : Built;

    private static readonly string Built =
        (typeof(SoftwareVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? "0.0.0").Split('+')[0];
}

/// <summary>A clock shifted by a fixed offset (okv.node.clock-offset) for clock-skew drills.</summary>
public sealed class OffsetTimeProvider(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
}
