using System.Collections.Frozen;
using OkvActors.Kmip.Protocol;

namespace OkvActors.Kmip.Payloads;

/// <summary>
/// Standard attribute names and their tags. KMIP 1.x names an attribute by text ("Cryptographic Algorithm") and
/// KMIP 2.0 by tag (0x420028); this table is the bridge between the two forms.
/// </summary>
public static class AttributeNames
{
    public const string UniqueIdentifier = "Unique Identifier";
    public const string Name = "Name";
    public const string ObjectType = "Object Type";
    public const string CryptographicAlgorithm = "Cryptographic Algorithm";
    public const string CryptographicLength = "Cryptographic Length";
    public const string CryptographicParameters = "Cryptographic Parameters";
    public const string CryptographicUsageMask = "Cryptographic Usage Mask";
    public const string State = "State";
    public const string ActivationDate = "Activation Date";
    public const string DeactivationDate = "Deactivation Date";
    public const string Link = "Link";

    private static readonly Tag[] StandardTags =
    [
        Tag.UniqueIdentifier, Tag.Name, Tag.ObjectType, Tag.CryptographicAlgorithm, Tag.CryptographicLength,
        Tag.CryptographicParameters, Tag.CryptographicDomainParameters, Tag.CertificateType, Tag.CertificateLength,
        Tag.X509CertificateIdentifier, Tag.X509CertificateSubject, Tag.X509CertificateIssuer, Tag.CertificateIdentifier,
        Tag.CertificateSubject, Tag.CertificateIssuer, Tag.DigitalSignatureAlgorithm, Tag.Digest, Tag.OperationPolicyName,
        Tag.CryptographicUsageMask, Tag.LeaseTime, Tag.UsageLimits, Tag.State, Tag.InitialDate, Tag.ActivationDate,
        Tag.ProcessStartDate, Tag.ProtectStopDate, Tag.DeactivationDate, Tag.DestroyDate, Tag.CompromiseOccurrenceDate,
        Tag.CompromiseDate, Tag.RevocationReason, Tag.ArchiveDate, Tag.ObjectGroup, Tag.Fresh, Tag.Link,
        Tag.ApplicationSpecificInformation, Tag.ContactInformation, Tag.LastChangeDate, Tag.AlternativeName,
        Tag.KeyValuePresent, Tag.KeyValueLocation, Tag.OriginalCreationDate,
        Tag.Sensitive, Tag.AlwaysSensitive, Tag.Extractable, Tag.NeverExtractable, Tag.Description, Tag.Comment,
        Tag.ShortUniqueIdentifier,
    ];

    private static readonly FrozenDictionary<string, Tag> ByName =
        StandardTags.ToFrozenDictionary(TagNames.Describe, t => t, StringComparer.Ordinal);

    private static readonly FrozenDictionary<Tag, string> ByTag = StandardTags.ToFrozenDictionary(t => t, TagNames.Describe);

    /// <summary>The tag of a standard attribute name, for the 2.0 form.</summary>
    public static bool TryGetTag(string name, out Tag tag) => ByName.TryGetValue(name, out tag);

    /// <summary>The 1.x name of a standard attribute tag.</summary>
    public static bool TryGetName(Tag tag, out string name) => ByTag.TryGetValue(tag, out name!);

    /// <summary>Custom attributes: "x-" set by clients, "y-" by servers (1.x); vendor "x"/"y" in 2.0.</summary>
    public static bool IsCustom(string name) => name.StartsWith("x-", StringComparison.Ordinal) || name.StartsWith("y-", StringComparison.Ordinal);
}
