namespace OkvActors.Kmip.Protocol;

/// <summary>A KMIP Protocol Version (tag 0x420069: Major 0x42006A, Minor 0x42006B), ordered by major then minor.</summary>
public readonly record struct ProtocolVersion(int Major, int Minor) : IComparable<ProtocolVersion>
{
    public static readonly ProtocolVersion V1_0 = new(1, 0);
    public static readonly ProtocolVersion V1_1 = new(1, 1);
    public static readonly ProtocolVersion V1_2 = new(1, 2);
    public static readonly ProtocolVersion V1_3 = new(1, 3);
    public static readonly ProtocolVersion V1_4 = new(1, 4);
    public static readonly ProtocolVersion V2_0 = new(2, 0);

    /// <summary>2.0 and later carry attributes in an Attributes structure keyed by tag, not a Template-Attribute.</summary>
    public bool UsesAttributesStructure => Major >= 2;

    public int CompareTo(ProtocolVersion other) => Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor);

    public static bool operator <(ProtocolVersion left, ProtocolVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(ProtocolVersion left, ProtocolVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(ProtocolVersion left, ProtocolVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(ProtocolVersion left, ProtocolVersion right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{Major}.{Minor}";
}
