namespace OkvActors.Kmip.Protocol;

/// <summary>The protocol versions this codec speaks, and the Discover Versions negotiation over them.</summary>
public static class KmipVersions
{
    /// <summary>Supported versions, most preferred first, as a Discover Versions response lists them.</summary>
    public static IReadOnlyList<ProtocolVersion> Supported { get; } =
    [
        ProtocolVersion.V2_0,
        ProtocolVersion.V1_4,
        ProtocolVersion.V1_3,
        ProtocolVersion.V1_2,
        ProtocolVersion.V1_1,
        ProtocolVersion.V1_0,
    ];

    public static bool IsSupported(ProtocolVersion version) => Supported.Contains(version);

    /// <summary>
    /// The versions for a Discover Versions response: with no client list, all we support; otherwise those of the
    /// client's versions we also support, in our order of preference (highest first). Possibly empty.
    /// </summary>
    public static IReadOnlyList<ProtocolVersion> Discover(IReadOnlyCollection<ProtocolVersion>? clientVersions)
    {
        if (clientVersions is null || clientVersions.Count == 0)
        {
            return Supported;
        }

        return Supported.Where(clientVersions.Contains).ToArray();
    }

    /// <summary>The highest version both sides support, or null when there is none.</summary>
    public static ProtocolVersion? Highest(IReadOnlyCollection<ProtocolVersion>? clientVersions)
    {
        var mutual = Discover(clientVersions);
        return mutual.Count == 0 ? null : mutual[0];
    }
}
