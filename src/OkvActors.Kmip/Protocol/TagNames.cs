using System.Text;

namespace OkvActors.Kmip.Protocol;

/// <summary>
/// Spec names for tags ("Unique Identifier" for <see cref="Tag.UniqueIdentifier"/>), because error messages and
/// KMIP 1.x Attribute Names use them, and the 2.0 attribute form is keyed by tag instead.
/// </summary>
public static class TagNames
{
    private static readonly Dictionary<Tag, string> Irregular = new()
    {
        [Tag.X509CertificateIdentifier] = "X.509 Certificate Identifier",
        [Tag.X509CertificateIssuer] = "X.509 Certificate Issuer",
        [Tag.X509CertificateSubject] = "X.509 Certificate Subject",
        [Tag.CrtCoefficient] = "CRT Coefficient",
        [Tag.IvCounterNonce] = "IV/Counter/Nonce",
        [Tag.PgpKey] = "PGP Key",
        [Tag.PgpKeyVersion] = "PGP Key Version",
        [Tag.CommonTemplateAttribute] = "Common Template-Attribute",
        [Tag.TemplateAttribute] = "Template-Attribute",
        [Tag.PrivateKeyTemplateAttribute] = "Private Key Template-Attribute",
        [Tag.PublicKeyTemplateAttribute] = "Public Key Template-Attribute",
        [Tag.MacSignature] = "MAC/Signature",
        [Tag.MacSignatureKeyInformation] = "MAC/Signature Key Information",
        [Tag.MacData] = "MAC Data",
        [Tag.RandomIv] = "Random IV",
        [Tag.IvLength] = "IV Length",
        [Tag.UniqueBatchItemId] = "Unique Batch Item ID",
        [Tag.NonceId] = "Nonce ID",
    };

    /// <summary>The spec's name for <paramref name="tag"/>, or its hex value when the tag is not one we name.</summary>
    public static string Describe(Tag tag)
    {
        if (Irregular.TryGetValue(tag, out var name))
        {
            return name;
        }

        if (!Enum.IsDefined(tag))
        {
            return $"0x{(uint)tag:X6}";
        }

        var pascal = tag.ToString();
        var text = new StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i]))
            {
                text.Append(' ');
            }

            text.Append(pascal[i]);
        }

        return text.ToString();
    }
}
