using System.Formats.Asn1;
using System.Security.Cryptography;

namespace OkvActors.Crypto.Operations;

internal enum KeyKind
{
    Unknown,
    RsaPrivate,
    RsaPublic,
    EcPrivate,
    EcPublic,
}

/// <summary>
/// Imports PKCS#8 private and SPKI public keys for one operation. A key of the wrong type or form is
/// refused with a message that says what was expected and what was given (the kind, never the bytes).
/// </summary>
internal static class AsymmetricKeys
{
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";

    public static RSA RsaPrivate(ReadOnlySpan<byte> pkcs8, string operation) =>
        Import(pkcs8, KeyKind.RsaPrivate, operation, RSA.Create, static (key, bytes) =>
        {
            key.ImportPkcs8PrivateKey(bytes, out var read);
            return read;
        });

    public static RSA RsaPublic(ReadOnlySpan<byte> spki, string operation) =>
        Import(spki, KeyKind.RsaPublic, operation, RSA.Create, static (key, bytes) =>
        {
            key.ImportSubjectPublicKeyInfo(bytes, out var read);
            return read;
        });

    public static ECDsa EcPrivate(ReadOnlySpan<byte> pkcs8, string operation) =>
        Import(pkcs8, KeyKind.EcPrivate, operation, ECDsa.Create, static (key, bytes) =>
        {
            key.ImportPkcs8PrivateKey(bytes, out var read);
            return read;
        });

    public static ECDsa EcPublic(ReadOnlySpan<byte> spki, string operation) =>
        Import(spki, KeyKind.EcPublic, operation, ECDsa.Create, static (key, bytes) =>
        {
            key.ImportSubjectPublicKeyInfo(bytes, out var read);
            return read;
        });

    /// <summary>Reads only the structure and the algorithm OID: no part of a private key is copied.</summary>
    public static KeyKind Classify(ReadOnlySpan<byte> der)
    {
        try
        {
            AsnDecoder.ReadSequence(der, AsnEncodingRules.BER, out var offset, out var length, out _);
            var body = der.Slice(offset, length);
            var first = Asn1Tag.Decode(body, out _);
            var isPrivate = first.HasSameClassAndValue(Asn1Tag.Integer);
            if (isPrivate)
            {
                AsnDecoder.ReadEncodedValue(body, AsnEncodingRules.BER, out _, out _, out var versionLength);
                body = body[versionLength..];
            }

            AsnDecoder.ReadSequence(body, AsnEncodingRules.BER, out var algorithmOffset, out var algorithmLength, out _);
            var oid = AsnDecoder.ReadObjectIdentifier(body.Slice(algorithmOffset, algorithmLength), AsnEncodingRules.BER, out _);
            return (oid, isPrivate) switch
            {
                (RsaOid, true) => KeyKind.RsaPrivate,
                (RsaOid, false) => KeyKind.RsaPublic,
                (EcOid, true) => KeyKind.EcPrivate,
                (EcOid, false) => KeyKind.EcPublic,
                _ => KeyKind.Unknown,
            };
        }
        catch (AsnContentException)
        {
            return KeyKind.Unknown;
        }
    }

    private delegate int Importer<in T>(T key, ReadOnlySpan<byte> bytes);

    private static T Import<T>(ReadOnlySpan<byte> bytes, KeyKind expected, string operation, Func<T> create, Importer<T> import)
        where T : AsymmetricAlgorithm
    {
        var actual = Classify(bytes);
        if (actual != expected)
        {
            throw new CryptoOperationException(CryptoProblem.InvalidKey,
                $"{operation} needs {Describe(expected)}, not {Describe(actual)}");
        }

        var key = create();
        try
        {
            if (import(key, bytes) != bytes.Length)
            {
                throw new CryptographicException("trailing bytes after the key");
            }

            return key;
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new CryptoOperationException(CryptoProblem.InvalidKey,
                $"{operation} needs {Describe(expected)}, and this one is malformed", e);
        }
    }

    private static string Describe(KeyKind kind) => kind switch
    {
        KeyKind.RsaPrivate => "an RSA private key (PKCS#8)",
        KeyKind.RsaPublic => "an RSA public key (SubjectPublicKeyInfo)",
        KeyKind.EcPrivate => "an EC private key (PKCS#8)",
        KeyKind.EcPublic => "an EC public key (SubjectPublicKeyInfo)",
        _ => "bytes that are neither a PKCS#8 private key nor a SubjectPublicKeyInfo public key of RSA or EC",
    };
}
