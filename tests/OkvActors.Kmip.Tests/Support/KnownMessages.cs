namespace OkvActors.Kmip.Tests.Support;

/// <summary>
/// Known KMIP messages, laid out by hand from the spec's TTLV rules (KMIP 1.x §9.1) after the KMIP 1.0/1.1 Test
/// Cases, one 8-byte row per line. They are written out literally, not produced by the codec under test.
/// </summary>
public static class KnownMessages
{
    /// <summary>Discover Versions request, KMIP 1.1, empty payload (Test Case DV-1 shape).</summary>
    public const string DiscoverVersionsRequest =
        "42 00 78 01 00 00 00 60"
        + "42 00 77 01 00 00 00 38"
        + "42 00 69 01 00 00 00 20"
        + "42 00 6A 02 00 00 00 04"
        + "00 00 00 01 00 00 00 00"
        + "42 00 6B 02 00 00 00 04"
        + "00 00 00 01 00 00 00 00"
        + "42 00 0D 02 00 00 00 04"
        + "00 00 00 01 00 00 00 00"
        + "42 00 0F 01 00 00 00 18"
        + "42 00 5C 05 00 00 00 04"
        + "00 00 00 1E 00 00 00 00"
        + "42 00 79 01 00 00 00 00";

    /// <summary>Create a Symmetric Key, AES-256, usage Encrypt|Decrypt, KMIP 1.0 Template-Attribute form (Test Case 3.1.1 shape, 256 bits).</summary>
    public const string CreateAes256Request =
        "42 00 78 01 00 00 01 20"
        + "42 00 77 01 00 00 00 38"
        + "42 00 69 01 00 00 00 20"
        + "42 00 6A 02 00 00 00 04"
        + "00 00 00 01 00 00 00 00"
        + "42 00 6B 02 00 00 00 04"
        + "00 00 00 00 00 00 00 00"
        + "42 00 0D 02 00 00 00 04"
        + "00 00 00 01 00 00 00 00"
        + "42 00 0F 01 00 00 00 D8"
        + "42 00 5C 05 00 00 00 04"
        + "00 00 00 01 00 00 00 00"
        + "42 00 79 01 00 00 00 C0"
        + "42 00 57 05 00 00 00 04"
        + "00 00 00 02 00 00 00 00"
        + "42 00 91 01 00 00 00 A8"
        + "42 00 08 01 00 00 00 30"
        + "42 00 0A 07 00 00 00 17"
        + "43 72 79 70 74 6F 67 72"
        + "61 70 68 69 63 20 41 6C"
        + "67 6F 72 69 74 68 6D 00"
        + "42 00 0B 05 00 00 00 04"
        + "00 00 00 03 00 00 00 00"
        + "42 00 08 01 00 00 00 30"
        + "42 00 0A 07 00 00 00 14"
        + "43 72 79 70 74 6F 67 72"
        + "61 70 68 69 63 20 4C 65"
        + "6E 67 74 68 00 00 00 00"
        + "42 00 0B 02 00 00 00 04"
        + "00 00 01 00 00 00 00 00"
        + "42 00 08 01 00 00 00 30"
        + "42 00 0A 07 00 00 00 18"
        + "43 72 79 70 74 6F 67 72"
        + "61 70 68 69 63 20 55 73"
        + "61 67 65 20 4D 61 73 6B"
        + "42 00 0B 02 00 00 00 04"
        + "00 00 00 0C 00 00 00 00";

    /// <summary>Create response, KMIP 1.0: Success, Symmetric Key, Unique Identifier fc8833de-….</summary>
    public const string CreateResponse =
        "42 00 7B 01 00 00 00 C0"
        + "42 00 7A 01 00 00 00 48"
        + "42 00 69 01 00 00 00 20"
        + "42 00 6A 02 00 00 00 04"
        + "00 00 00 01 00 00 00 00"
        + "42 00 6B 02 00 00 00 04"
        + "00 00 00 00 00 00 00 00"
        + "42 00 92 09 00 00 00 08"
        + "00 00 00 00 4F 9A 54 E5"
        + "42 00 0D 02 00 00 00 04"
        + "00 00 00 01 00 00 00 00"
        + "42 00 0F 01 00 00 00 68"
        + "42 00 5C 05 00 00 00 04"
        + "00 00 00 01 00 00 00 00"
        + "42 00 7F 05 00 00 00 04"
        + "00 00 00 00 00 00 00 00"
        + "42 00 7C 01 00 00 00 40"
        + "42 00 57 05 00 00 00 04"
        + "00 00 00 02 00 00 00 00"
        + "42 00 94 07 00 00 00 24"
        + "66 63 38 38 33 33 64 65"
        + "2D 37 30 64 32 2D 34 65"
        + "63 65 2D 62 30 36 33 2D"
        + "66 65 64 65 33 61 33 63"
        + "35 39 66 65 00 00 00 00";

    public const string CreateResponseUniqueIdentifier = "fc8833de-70d2-4ece-b063-fede3a3c59fe";

    /// <summary>Time Stamp of <see cref="CreateResponse"/>: 0x4F9A54E5 POSIX seconds.</summary>
    public static readonly DateTimeOffset CreateResponseTimeStamp = DateTimeOffset.FromUnixTimeSeconds(0x4F9A54E5);
}
