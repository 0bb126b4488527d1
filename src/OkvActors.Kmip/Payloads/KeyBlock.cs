using System.Text;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;

namespace OkvActors.Kmip.Payloads;

/// <summary>
/// A plain (unwrapped) Key Block (0x420040): Key Format Type, Key Value / Key Material, Cryptographic Algorithm and
/// Length. Raw, PKCS#1, PKCS#8 and X.509 (SPKI) material is a byte string; a Transparent Symmetric Key is a structure
/// holding Key (0x42003F), read and written here as the same bytes. Other transparent formats are out of scope and
/// refused as Key Format Type Not Supported. <see cref="KeyMaterial"/> is the caller's to zero after use.
/// </summary>
public sealed record KeyBlock(KeyFormatType FormatType, byte[] KeyMaterial, CryptographicAlgorithm? Algorithm, int? Length)
{
    /// <summary>Reads a Key Block structure.</summary>
    public static KeyBlock Read(TtlvItem keyBlock)
    {
        ArgumentNullException.ThrowIfNull(keyBlock);
        keyBlock.AsStructure();
        var format = keyBlock.RequiredEnum<KeyFormatType>(Tag.KeyFormatType);
        if (keyBlock.Find(Tag.KeyWrappingData) is not null)
        {
            throw new KmipFieldException(ResultReason.FeatureNotSupported, Tag.KeyWrappingData, "Wrapped key blocks are not supported.");
        }

        var keyValue = keyBlock.RequiredStructure(Tag.KeyValue);
        var material = keyValue.Required(Tag.KeyMaterial);
        byte[] bytes;
        if (material.Type == TtlvType.ByteString)
        {
            bytes = material.AsBytes();
        }
        else if (format == KeyFormatType.TransparentSymmetricKey)
        {
            bytes = material.AsStructure().RequiredBytes(Tag.Key);
        }
        else
        {
            throw new KmipFieldException(ResultReason.KeyFormatTypeNotSupported, Tag.KeyFormatType, $"Key Format Type {format} is not supported.");
        }

        return new KeyBlock(
            format,
            bytes,
            keyBlock.EnumOf<CryptographicAlgorithm>(Tag.CryptographicAlgorithm),
            keyBlock.Int32Of(Tag.CryptographicLength));
    }

    /// <summary>Reads the Key Block inside a managed object (Symmetric Key, Private Key, Public Key, Secret Data).</summary>
    public static KeyBlock ReadFrom(TtlvItem managedObject)
    {
        ArgumentNullException.ThrowIfNull(managedObject);
        return Read(managedObject.RequiredStructure(Tag.KeyBlock));
    }

    /// <summary>The Key Block structure.</summary>
    public TtlvItem ToItem()
    {
        var material = FormatType == KeyFormatType.TransparentSymmetricKey
            ? TtlvItem.Structure(Tag.KeyMaterial, TtlvItem.ByteString(Tag.Key, KeyMaterial))
            : TtlvItem.ByteString(Tag.KeyMaterial, KeyMaterial);
        return TtlvItem.Structure(
            Tag.KeyBlock,
            TtlvItem.Enumeration(Tag.KeyFormatType, FormatType),
            TtlvItem.Structure(Tag.KeyValue, material),
            Algorithm is { } algorithm ? TtlvItem.Enumeration(Tag.CryptographicAlgorithm, algorithm) : null,
            Length is { } length ? TtlvItem.Integer(Tag.CryptographicLength, length) : null);
    }

    /// <summary>The managed object wrapping this block, e.g. <c>Symmetric Key { Key Block }</c> for a Get response.</summary>
    public TtlvItem ToObject(Tag objectTag) => TtlvItem.Structure(objectTag, ToItem());

    /// <summary>Never prints the material, only its length.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("FormatType = ").Append(FormatType)
            .Append(", KeyMaterial = <").Append(KeyMaterial.Length).Append(" bytes>")
            .Append(", Algorithm = ").Append(Algorithm)
            .Append(", Length = ").Append(Length);
        return true;
    }
}
