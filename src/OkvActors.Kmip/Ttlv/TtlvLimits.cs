namespace OkvActors.Kmip.Ttlv;

/// <summary>
/// Bounds the decoder enforces before it allocates anything, so a hostile peer cannot make the server reserve
/// memory or recurse past what an honest KMIP message needs.
/// </summary>
public sealed record TtlvLimits
{
    /// <summary>The deepest nesting the reader supports at all (its structure stack is a fixed inline array).</summary>
    public const int DepthCeiling = 64;

    /// <summary>Honest requests stay far below: the Default is generous for Register of a large certificate chain.</summary>
    public static TtlvLimits Default { get; } = new();

    /// <summary>
    /// Largest whole message in bytes, header included. <b>Default:</b> 1 MiB.
    /// </summary>
    public int MaxMessageSize { get; init; } = 1 << 20;

    /// <summary>
    /// Largest number of nested structures, the outer message counting as 1. A KMIP 1.x Create with a Name attribute
    /// reaches 6; a Get response with a transparent key about 7. <b>Default:</b> 16.
    /// </summary>
    public int MaxDepth { get; init; } = 16;

    /// <summary>Throws if the limits are not usable, so a misconfiguration fails at start-up, not per message.</summary>
    public TtlvLimits Validate()
    {
        if (MaxMessageSize < 8)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxMessageSize), MaxMessageSize, "must be at least 8 bytes");
        }

        if (MaxDepth is < 1 or > DepthCeiling)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDepth), MaxDepth, $"must be 1..{DepthCeiling}");
        }

        return this;
    }
}
