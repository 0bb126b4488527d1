namespace OkvActors.Kmip.Ttlv;

/// <summary>What was wrong with the bytes, so a server can log a class of abuse and answer Invalid Message.</summary>
public enum TtlvProblem
{
    /// <summary>The input ends before a header or a value it announced.</summary>
    Truncated,

    /// <summary>The message, or a length it announces, is larger than <see cref="TtlvLimits.MaxMessageSize"/>.</summary>
    Oversize,

    /// <summary>Structures are nested deeper than <see cref="TtlvLimits.MaxDepth"/>.</summary>
    TooDeep,

    /// <summary>The type byte is not one of the KMIP item types.</summary>
    BadType,

    /// <summary>A length is wrong for its type, or a child overruns its structure.</summary>
    BadLength,

    /// <summary>A padding byte is not zero.</summary>
    BadPadding,

    /// <summary>A Boolean is neither 0 nor 1.</summary>
    BadBoolean,

    /// <summary>A tag outside the KMIP (0x42xxxx) and extension (0x54xxxx) ranges.</summary>
    BadTag,

    /// <summary>A Text String is not valid UTF-8.</summary>
    BadText,

    /// <summary>The outermost item is not the expected message structure (e.g. Request Message 0x420078).</summary>
    WrongOuterTag,

    /// <summary>Bytes follow the end of the outermost item.</summary>
    TrailingBytes,
}

/// <summary>
/// The bytes are not well-formed TTLV within the limits. <see cref="Offset"/> is the position in the input of the
/// item header, or of the byte, where decoding stopped. The message names the problem and the offset only: never
/// any value bytes, which may be key material.
/// </summary>
public sealed class TtlvFormatException(TtlvProblem problem, int offset, string detail)
    : Exception($"Malformed TTLV ({problem}) at offset {offset}: {detail}")
{
    public TtlvProblem Problem { get; } = problem;

    public int Offset { get; } = offset;
}
