using System.Security.Cryptography;
using OkvActors.Crypto.Keys;
using OkvActors.Crypto.Operations;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Vault;
using OkvActors.Kmip.Messages;
using OkvActors.Kmip.Payloads;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;
using KmipLinkType = OkvActors.Kmip.Protocol.LinkType;
using KmipObjectType = OkvActors.Kmip.Protocol.ObjectType;
using ObjectType = OkvActors.KeyStore.Model.ObjectType;

namespace OkvActors.Endpoints.Kmip;

/// <summary>A KMIP operation that ends in a failure result: the reason code and a message for the client.</summary>
public sealed class KmipFailure(ResultReason reason, string message) : Exception(message)
{
    public ResultReason Reason { get; } = reason;
}

/// <summary>
/// Each supported KMIP operation as a call on one endpoint's <see cref="VaultSession"/> (which authorises
/// and audits), translating payloads to the store's model and replies to KMIP results. Key material
/// taken from a request or put into a response is zeroed once the message has been encoded.
/// </summary>
public sealed class KmipOperations(VaultSession session, ProtocolVersion version, Func<IReadOnlyList<string>> serverInformation)
{
    /// <summary>What this server implements, as Query answers it.</summary>
    public static readonly IReadOnlyList<Operation> Supported =
    [
        Operation.DiscoverVersions, Operation.Query, Operation.Create, Operation.CreateKeyPair, Operation.Register, Operation.Get,
        Operation.GetAttributes, Operation.GetAttributeList, Operation.AddAttribute, Operation.ModifyAttribute, Operation.DeleteAttribute,
        Operation.Locate, Operation.Activate, Operation.Revoke, Operation.Destroy, Operation.ReKey, Operation.Encrypt, Operation.Decrypt,
        Operation.Sign, Operation.SignatureVerify, Operation.Mac, Operation.MacVerify,
    ];

    private const string SecretDataTypeKey = "okv:secret-data-type";
    private const string OpaqueDataTypeKey = "okv:opaque-data-type";

    /// <summary>Buffers holding key material for the response being built; zeroed by <see cref="ZeroSecrets"/>.</summary>
    private readonly List<byte[]> _secrets = [];

    public void ZeroSecrets()
    {
        foreach (var secret in _secrets)
        {
            CryptographicOperations.ZeroMemory(secret);
        }

        _secrets.Clear();
    }

    public Task<TtlvItem> Execute(RequestBatchItem item, CancellationToken ct) => item.Operation switch
    {
        Operation.DiscoverVersions => Task.FromResult(DiscoverVersions(item.Payload)),
        Operation.Query => Task.FromResult(Query(item.Payload)),
        Operation.Create => Create(item.Payload, ct),
        Operation.CreateKeyPair => CreateKeyPair(item.Payload, ct),
        Operation.Register => Register(item.Payload, ct),
        Operation.Get => Get(item.Payload, ct),
        Operation.GetAttributes => GetAttributes(item.Payload, ct),
        Operation.GetAttributeList => GetAttributeList(item.Payload, ct),
        Operation.AddAttribute => ChangeAttribute(item.Payload, AttributeChange.Add, ct),
        Operation.ModifyAttribute => ChangeAttribute(item.Payload, AttributeChange.Modify, ct),
        Operation.DeleteAttribute => ChangeAttribute(item.Payload, AttributeChange.Delete, ct),
        Operation.Locate => Locate(item.Payload, ct),
        Operation.Activate => Lifecycle(item.Payload, uid => session.ActivateAsync(uid, ct)),
        Operation.Revoke => Lifecycle(item.Payload, uid => session.RevokeAsync(uid, RevocationOf(item.Payload), ct)),
        Operation.Destroy => Lifecycle(item.Payload, uid => session.DestroyAsync(uid, ct)),
        Operation.ReKey => ReKey(item.Payload, ct),
        Operation.Encrypt => Encrypt(item.Payload, ct),
        Operation.Decrypt => Decrypt(item.Payload, ct),
        Operation.Sign => Sign(item.Payload, ct),
        Operation.SignatureVerify => SignatureVerify(item.Payload, ct),
        Operation.Mac => Mac(item.Payload, ct),
        Operation.MacVerify => MacVerify(item.Payload, ct),
        _ => throw new KmipFailure(ResultReason.OperationNotSupported, $"operation {item.Operation} is not supported by this server"),
    };

    private static TtlvItem Payload(params IEnumerable<TtlvItem?> items) => TtlvItem.Structure(Tag.ResponsePayload, items);

    private static TtlvItem Uid(string uid) => TtlvItem.TextString(Tag.UniqueIdentifier, uid);

    private static TtlvItem DiscoverVersions(TtlvItem payload)
    {
        var offered = payload.FindAll(Tag.ProtocolVersion).Select(ProtocolVersionOf).ToArray();
        return Payload(KmipVersions.Discover(offered).Select(v => TtlvItem.Structure(Tag.ProtocolVersion,
            TtlvItem.Integer(Tag.ProtocolVersionMajor, v.Major), TtlvItem.Integer(Tag.ProtocolVersionMinor, v.Minor))));
    }

    private static ProtocolVersion ProtocolVersionOf(TtlvItem item) =>
        new(item.RequiredInt32(Tag.ProtocolVersionMajor), item.RequiredInt32(Tag.ProtocolVersionMinor));

    private TtlvItem Query(TtlvItem payload)
    {
        var functions = payload.FindAll(Tag.QueryFunction).Select(f => f.AsEnum<QueryFunction>()).ToHashSet();
        var items = new List<TtlvItem?>();
        if (functions.Contains(QueryFunction.QueryOperations))
        {
            items.AddRange(Supported.Select(o => TtlvItem.Enumeration(Tag.Operation, o)));
        }

        if (functions.Contains(QueryFunction.QueryObjects))
        {
            items.AddRange(new[] { KmipObjectType.SymmetricKey, KmipObjectType.PublicKey, KmipObjectType.PrivateKey, KmipObjectType.SecretData,
                KmipObjectType.OpaqueObject, KmipObjectType.Certificate }.Select(t => TtlvItem.Enumeration(Tag.ObjectType, t)));
        }

        if (functions.Contains(QueryFunction.QueryServerInformation))
        {
            items.Add(TtlvItem.TextString(Tag.VendorIdentification, "OkvActors"));
            // For endpoint failover: every node, this node's subgroup first (see KmipService).
            items.Add(TtlvItem.Structure(Tag.ServerInformation,
                serverInformation().Select(line => TtlvItem.TextString(Tag.VendorIdentification, line))));
        }

        return Payload(items);
    }

    private async Task<TtlvItem> Create(TtlvItem payload, CancellationToken ct)
    {
        var type = payload.RequiredEnum<KmipObjectType>(Tag.ObjectType);
        if (type != KmipObjectType.SymmetricKey)
        {
            throw new KmipFailure(ResultReason.InvalidObjectType, $"Create makes symmetric keys; use Create Key Pair or Register for {type}");
        }

        var attributes = AttributeCodec.ReadFromPayload(payload);
        var algorithm = Attribute(attributes, AttributeNames.CryptographicAlgorithm)?.AsEnum<CryptographicAlgorithm>()
                        ?? throw new KmipFailure(ResultReason.InvalidField, "Create needs a Cryptographic Algorithm attribute");
        var symmetric = algorithm switch
        {
            CryptographicAlgorithm.Aes => SymmetricKeyAlgorithm.Aes,
            CryptographicAlgorithm.HmacSha256 => SymmetricKeyAlgorithm.HmacSha256,
            CryptographicAlgorithm.HmacSha384 => SymmetricKeyAlgorithm.HmacSha384,
            CryptographicAlgorithm.HmacSha512 => SymmetricKeyAlgorithm.HmacSha512,
            _ => throw new KmipFailure(ResultReason.InvalidField, $"this server creates AES and HMAC-SHA-256/384/512 keys, not {algorithm}"),
        };
        var length = Attribute(attributes, AttributeNames.CryptographicLength)?.AsInt32() ?? KeyGenerator.DefaultLengthBits(symmetric);
        var stored = Expect<ObjectStored>(await Guarded(() =>
            session.CreateSymmetricKeyAsync(symmetric, length, NamesOf(attributes), UsageMaskOf(attributes), ct: ct)));
        return Payload(TtlvItem.Enumeration(Tag.ObjectType, KmipObjectType.SymmetricKey), Uid(stored.Object.Uid));
    }

    private async Task<TtlvItem> CreateKeyPair(TtlvItem payload, CancellationToken ct)
    {
        var attributes = AttributeCodec.ReadFromPayload(payload, AttributeGroup.Common)
            .Concat(AttributeCodec.ReadFromPayload(payload, AttributeGroup.PrivateKey)).ToArray();
        var algorithm = Attribute(attributes, AttributeNames.CryptographicAlgorithm)?.AsEnum<CryptographicAlgorithm>()
                        ?? throw new KmipFailure(ResultReason.InvalidField, "Create Key Pair needs a Cryptographic Algorithm attribute");
        var length = Attribute(attributes, AttributeNames.CryptographicLength)?.AsInt32()
                     ?? throw new KmipFailure(ResultReason.InvalidField, "Create Key Pair needs a Cryptographic Length attribute");
        var kind = algorithm switch
        {
            CryptographicAlgorithm.Rsa => KeyPairAlgorithm.Rsa,
            CryptographicAlgorithm.Ecdsa or CryptographicAlgorithm.Ec => KeyPairAlgorithm.Ec,
            _ => throw new KmipFailure(ResultReason.InvalidField, $"this server creates RSA and EC key pairs, not {algorithm}"),
        };
        var pair = Expect<KeyPairStored>(await Guarded(() => session.CreateKeyPairAsync(kind, length, NamesOf(attributes), ct: ct)));
        return Payload(TtlvItem.TextString(Tag.PrivateKeyUniqueIdentifier, pair.Private.Uid),
            TtlvItem.TextString(Tag.PublicKeyUniqueIdentifier, pair.Public.Uid));
    }

    private async Task<TtlvItem> Register(TtlvItem payload, CancellationToken ct)
    {
        var type = payload.RequiredEnum<KmipObjectType>(Tag.ObjectType);
        var attributes = AttributeCodec.ReadFromPayload(payload);
        var (objectTag, storeType) = type switch
        {
            KmipObjectType.SymmetricKey => (Tag.SymmetricKey, ObjectType.SymmetricKey),
            KmipObjectType.PrivateKey => (Tag.PrivateKey, ObjectType.PrivateKey),
            KmipObjectType.PublicKey => (Tag.PublicKey, ObjectType.PublicKey),
            KmipObjectType.SecretData => (Tag.SecretData, ObjectType.SecretData),
            KmipObjectType.OpaqueObject => (Tag.OpaqueObject, ObjectType.OpaqueObject),
            KmipObjectType.Certificate => (Tag.Certificate, ObjectType.Certificate),
            _ => throw new KmipFailure(ResultReason.InvalidObjectType, $"this server does not store {type} objects"),
        };
        var managed = payload.RequiredStructure(objectTag);
        byte[] material;
        var algorithm = Attribute(attributes, AttributeNames.CryptographicAlgorithm)?.AsEnum<CryptographicAlgorithm>();
        int? length = Attribute(attributes, AttributeNames.CryptographicLength)?.AsInt32();
        string? subtype = null;
        switch (type)
        {
            case KmipObjectType.OpaqueObject:
                material = managed.RequiredBytes(Tag.OpaqueDataValue);
                subtype = managed.Required(Tag.OpaqueDataType).AsEnumeration().ToString();
                break;
            case KmipObjectType.Certificate:
                material = managed.RequiredBytes(Tag.CertificateValue);
                break;
            default:
                var block = KeyBlock.ReadFrom(managed);
                material = block.KeyMaterial;
                algorithm ??= block.Algorithm;
                length ??= block.Length;
                if (type == KmipObjectType.SecretData)
                {
                    subtype = managed.Required(Tag.SecretDataType).AsEnumeration().ToString();
                }

                break;
        }

        _secrets.Add(material);
        var stored = Expect<ObjectStored>(await Guarded(() => session.RegisterAsync(storeType, (int)(algorithm ?? 0), length ?? material.Length * 8,
            material, NamesOf(attributes), UsageMaskOf(attributes), ct: ct)));
        if (subtype is not null)
        {
            var key = type == KmipObjectType.SecretData ? SecretDataTypeKey : OpaqueDataTypeKey;
            Expect<ObjectStored>(await session.ChangeAttributesAsync("Register", stored.Object.Uid, (o, stamp) => o.SetCustom(key, subtype, stamp), ct: ct));
        }

        return Payload(Uid(stored.Object.Uid));
    }

    private async Task<TtlvItem> Get(TtlvItem payload, CancellationToken ct)
    {
        var uid = payload.RequiredText(Tag.UniqueIdentifier);
        var exported = Expect<MaterialExported>(await session.ExportAsync(uid, ct));
        _secrets.Add(exported.Material);
        var o = exported.Object;
        var algorithm = o.Algorithm == 0 ? (CryptographicAlgorithm?)null : (CryptographicAlgorithm)o.Algorithm;
        var length = o.Length == 0 ? (int?)null : o.Length;
        TtlvItem managed = o.Type switch
        {
            ObjectType.SymmetricKey => new KeyBlock(KeyFormatType.Raw, exported.Material, algorithm, length).ToObject(Tag.SymmetricKey),
            ObjectType.PrivateKey => new KeyBlock(KeyFormatType.Pkcs8, exported.Material, algorithm, length).ToObject(Tag.PrivateKey),
            ObjectType.PublicKey => new KeyBlock(KeyFormatType.X509, exported.Material, algorithm, length).ToObject(Tag.PublicKey),
            ObjectType.SecretData => TtlvItem.Structure(Tag.SecretData,
                TtlvItem.Enumeration(Tag.SecretDataType, uint.Parse(o.Custom.GetValueOrDefault(SecretDataTypeKey).Value ?? "1")),
                new KeyBlock(KeyFormatType.Opaque, exported.Material, null, null).ToItem()),
            ObjectType.OpaqueObject => TtlvItem.Structure(Tag.OpaqueObject,
                TtlvItem.Enumeration(Tag.OpaqueDataType, uint.Parse(o.Custom.GetValueOrDefault(OpaqueDataTypeKey).Value ?? "0")),
                TtlvItem.ByteString(Tag.OpaqueDataValue, exported.Material)),
            ObjectType.Certificate => TtlvItem.Structure(Tag.Certificate, TtlvItem.Enumeration(Tag.CertificateType, 1u),
                TtlvItem.ByteString(Tag.CertificateValue, exported.Material)),
            _ => throw new KmipFailure(ResultReason.InvalidObjectType, $"{o.Type} cannot be returned by Get"),
        };
        return Payload(TtlvItem.Enumeration(Tag.ObjectType, (KmipObjectType)(uint)o.Type), Uid(o.Uid), managed);
    }

    private async Task<ManagedObject> Read(string uid, CancellationToken ct) =>
        Expect<ObjectFound>(await session.GetAsync(uid, ct: ct)).Object;

    private async Task<TtlvItem> GetAttributes(TtlvItem payload, CancellationToken ct)
    {
        var uid = payload.RequiredText(Tag.UniqueIdentifier);
        var o = await Read(uid, ct);
        var wanted = payload.FindAll(Tag.AttributeName).Select(n => n.AsText())
            .Concat(payload.FindAll(Tag.AttributeReference).Select(ReferenceName))
            .ToHashSet(StringComparer.Ordinal);
        var attributes = AttributesOf(o).Where(a => wanted.Count == 0 || wanted.Contains(a.Name)).ToArray();
        return version.UsesAttributesStructure
            ? Payload(Uid(uid), AttributeCodec.Write(version, AttributeGroup.Main, attributes))
            : Payload([Uid(uid), .. AttributeCodec.ToItems(version, attributes)]);
    }

    private static string ReferenceName(TtlvItem reference) =>
        reference.Type == TtlvType.Enumeration && AttributeNames.TryGetName((Tag)reference.AsEnumeration(), out var name)
            ? name
            : reference.TextOf(Tag.AttributeName) ?? throw new KmipFailure(ResultReason.InvalidField, "an Attribute Reference names no attribute");

    private async Task<TtlvItem> GetAttributeList(TtlvItem payload, CancellationToken ct)
    {
        var uid = payload.RequiredText(Tag.UniqueIdentifier);
        var names = AttributesOf(await Read(uid, ct)).Select(a => a.Name).Distinct();
        return Payload([Uid(uid), .. names.Select(n => TtlvItem.TextString(Tag.AttributeName, n))]);
    }

    /// <summary>The KMIP attributes an object has, under their 1.x names.</summary>
    public static IEnumerable<KmipAttribute> AttributesOf(ManagedObject o)
    {
        yield return new KmipAttribute("Unique Identifier", Uid(o.Uid));
        yield return new KmipAttribute("Object Type", TtlvItem.Enumeration(Tag.ObjectType, (uint)o.Type));
        if (o.Algorithm != 0)
        {
            yield return new KmipAttribute(AttributeNames.CryptographicAlgorithm, TtlvItem.Enumeration(Tag.CryptographicAlgorithm, (uint)o.Algorithm));
        }

        if (o.Length != 0)
        {
            yield return new KmipAttribute(AttributeNames.CryptographicLength, TtlvItem.Integer(Tag.CryptographicLength, o.Length));
        }

        for (var i = 0; i < o.Names.Value.Length; i++)
        {
            yield return new KmipAttribute(AttributeNames.Name, AttributeCodec.NameValue(o.Names.Value[i]), i);
        }

        yield return new KmipAttribute("State", TtlvItem.Enumeration(Tag.State, (uint)o.State));
        yield return new KmipAttribute(AttributeNames.CryptographicUsageMask, TtlvItem.Integer(Tag.CryptographicUsageMask, o.UsageMask.Value));
        yield return new KmipAttribute("Initial Date", TtlvItem.DateTime(Tag.InitialDate, o.InitialDate));
        foreach (var (name, tag, date) in new[]
                 {
                     (AttributeNames.ActivationDate, Tag.ActivationDate, o.Dates.Activation),
                     (AttributeNames.DeactivationDate, Tag.DeactivationDate, o.Dates.Deactivation),
                     ("Compromise Date", Tag.CompromiseDate, o.Dates.Compromise),
                     ("Destroy Date", Tag.DestroyDate, o.Dates.Destroy),
                 })
        {
            if (date is { } at)
            {
                yield return new KmipAttribute(name, TtlvItem.DateTime(tag, at));
            }
        }

        foreach (var (type, link) in o.Links)
        {
            if (link.Value is { } target)
            {
                yield return new KmipAttribute(AttributeNames.Link, AttributeCodec.LinkValue((KmipLinkType)(uint)type, target));
            }
        }

        foreach (var (name, register) in o.Custom)
        {
            if (AttributeNames.IsCustom(name) && register.Value is { } value)
            {
                yield return new KmipAttribute(name, TtlvItem.TextString(Tag.AttributeValue, value));
            }
        }
    }

    private enum AttributeChange
    {
        Add,
        Modify,
        Delete,
    }

    /// <summary>Names and custom ("x-") attributes can be added, changed and deleted; the usage mask changed; the rest is the server's.</summary>
    private async Task<TtlvItem> ChangeAttribute(TtlvItem payload, AttributeChange change, CancellationToken ct)
    {
        var uid = payload.RequiredText(Tag.UniqueIdentifier);
        var attribute = payload.Find(Tag.Attribute) is { } item
            ? AttributeCodec.ReadAttributeItem(item)
            : (payload.Find(Tag.NewAttribute) ?? payload.Find(Tag.CurrentAttribute)) is { } newOrCurrent
                ? AttributeCodec.Read(newOrCurrent).FirstOrDefault()
                : payload.Find(Tag.AttributeReference) is { } reference
                    ? new KmipAttribute(ReferenceName(reference), TtlvItem.TextString(Tag.AttributeValue, ""))
                    : null;
        if (attribute is null)
        {
            throw new KmipFailure(ResultReason.InvalidField, "the request names no attribute");
        }

        var name = attribute.Name;
        Func<ManagedObject, Hlc, ManagedObject> apply = (name, change) switch
        {
            (_, AttributeChange.Delete) when AttributeNames.IsCustom(name) => (o, stamp) => o.SetCustom(name, null, stamp),
            (_, _) when AttributeNames.IsCustom(name) => (o, stamp) => o.SetCustom(name, attribute.Value.AsText(), stamp),
            (AttributeNames.Name, AttributeChange.Add) => (o, stamp) => o.SetNames([.. o.Names.Value, NameOf(attribute)], stamp),
            (AttributeNames.Name, AttributeChange.Delete) => (o, stamp) => o.SetNames(o.Names.Value.Where(n => n != attribute.Value.TextOf(Tag.NameValue)), stamp),
            (AttributeNames.Name, AttributeChange.Modify) => (o, stamp) => o.SetNames([NameOf(attribute)], stamp),
            (AttributeNames.CryptographicUsageMask, AttributeChange.Modify) => (o, stamp) => o.SetUsageMask(attribute.Value.AsInt32(), stamp),
            _ => throw new KmipFailure(ResultReason.AttributeReadOnly, $"attribute '{name}' cannot be {change.ToString().ToLowerInvariant()}ed by a client"),
        };
        Expect<ObjectStored>(await session.ChangeAttributesAsync($"{change}Attribute", uid, apply, name, ct));
        return change == AttributeChange.Delete || version.UsesAttributesStructure
            ? Payload(Uid(uid))
            : Payload(Uid(uid), AttributeCodec.ToItem(version, attribute));
    }

    private async Task<TtlvItem> Locate(TtlvItem payload, CancellationToken ct)
    {
        var attributes = AttributeCodec.ReadFromPayload(payload);
        var filter = new LocateFilter(
            Name: Attribute(attributes, AttributeNames.Name) is { } name ? name.TextOf(Tag.NameValue) : null,
            Type: Attribute(attributes, "Object Type") is { } type ? (ObjectType)type.AsEnumeration() : null,
            State: Attribute(attributes, "State") is { } state ? (LifecycleState)state.AsEnumeration() : null,
            Algorithm: Attribute(attributes, AttributeNames.CryptographicAlgorithm) is { } algorithm ? (int)algorithm.AsEnumeration() : null,
            Offset: payload.Int32Of(Tag.OffsetItems) ?? 0,
            MaxItems: payload.Int32Of(Tag.MaximumItems) ?? int.MaxValue);
        var found = await session.LocateAsync(filter, ct);
        return Payload(found.Select(o => Uid(o.Uid)));
    }

    private async Task<TtlvItem> Lifecycle(TtlvItem payload, Func<string, Task<IVaultReply>> change)
    {
        var uid = payload.RequiredText(Tag.UniqueIdentifier);
        Expect<ObjectStored>(await Guarded(() => change(uid)));
        return Payload(Uid(uid));
    }

    private static RevocationReason RevocationOf(TtlvItem payload) =>
        (RevocationReason)payload.RequiredStructure(Tag.RevocationReason).Required(Tag.RevocationReasonCode).AsEnumeration();

    private async Task<TtlvItem> ReKey(TtlvItem payload, CancellationToken ct)
    {
        var uid = payload.RequiredText(Tag.UniqueIdentifier);
        var replacement = Expect<ObjectStored>(await session.ReKeyAsync(uid, ct));
        return Payload(Uid(replacement.Object.Uid));
    }

    /// <summary>AES: GCM (the default; tag returned apart) or CBC with PKCS#5 padding.</summary>
    private static CipherOptions CipherOf(TtlvItem payload, bool forEncryption)
    {
        var parameters = payload.Find(Tag.CryptographicParameters);
        var mode = parameters?.EnumOf<BlockCipherMode>(Tag.BlockCipherMode) ?? BlockCipherMode.Gcm;
        var padding = parameters?.EnumOf<PaddingMethod>(Tag.PaddingMethod);
        var iv = payload.BytesOf(Tag.IvCounterNonce);
        if (!forEncryption && iv is null)
        {
            throw new KmipFailure(ResultReason.MissingInitializationVector, "Decrypt needs the IV/Counter/Nonce used to encrypt");
        }

        return mode switch
        {
            BlockCipherMode.Gcm when padding is null or PaddingMethod.None =>
                new CipherOptions(SymmetricMode.Gcm, iv, payload.BytesOf(Tag.AuthenticatedEncryptionAdditionalData)),
            BlockCipherMode.Cbc when padding is PaddingMethod.Pkcs5 => new CipherOptions(SymmetricMode.Cbc, iv),
            _ => throw new KmipFailure(ResultReason.UnsupportedCryptographicParameters,
                $"this server encrypts with AES-GCM or AES-CBC with PKCS#5 padding, not {mode} with {padding?.ToString() ?? "no"} padding"),
        };
    }

    private async Task<TtlvItem> Encrypt(TtlvItem payload, CancellationToken ct)
    {
        var uid = payload.RequiredText(Tag.UniqueIdentifier);
        var options = CipherOf(payload, forEncryption: true);
        var encrypted = Expect<Encrypted>(await session.EncryptAsync(uid, payload.RequiredBytes(Tag.Data), options, ct));
        var generatedIv = options.Iv is null ? TtlvItem.ByteString(Tag.IvCounterNonce, encrypted.Iv) : null;
        if (options.Mode != SymmetricMode.Gcm)
        {
            return Payload(Uid(uid), TtlvItem.ByteString(Tag.Data, encrypted.Ciphertext), generatedIv);
        }

        var split = encrypted.Ciphertext.Length - SymmetricCipher.GcmTagLength;
        return Payload(Uid(uid), TtlvItem.ByteString(Tag.Data, encrypted.Ciphertext[..split]), generatedIv,
            TtlvItem.ByteString(Tag.AuthenticatedEncryptionTag, encrypted.Ciphertext[split..]));
    }

    private async Task<TtlvItem> Decrypt(TtlvItem payload, CancellationToken ct)
    {
        var uid = payload.RequiredText(Tag.UniqueIdentifier);
        var options = CipherOf(payload, forEncryption: false);
        var data = payload.RequiredBytes(Tag.Data);
        if (options.Mode == SymmetricMode.Gcm)
        {
            var tag = payload.BytesOf(Tag.AuthenticatedEncryptionTag)
                      ?? throw new KmipFailure(ResultReason.InvalidField, "GCM decryption needs the Authenticated Encryption Tag");
            data = [.. data, .. tag];
        }

        var decrypted = Expect<Decrypted>(await session.DecryptAsync(uid, data, options.Iv!, options, ct));
        _secrets.Add(decrypted.Plaintext);
        return Payload(Uid(uid), TtlvItem.ByteString(Tag.Data, decrypted.Plaintext));
    }

    /// <summary>RSA-PSS, RSA PKCS#1 v1.5 or ECDSA, from Digital Signature Algorithm or from hashing and padding.</summary>
    private static SignatureAlgorithm SignatureOf(TtlvItem payload)
    {
        var parameters = payload.Find(Tag.CryptographicParameters)
                         ?? throw new KmipFailure(ResultReason.InvalidField, "signing needs Cryptographic Parameters naming the algorithm");
        var direct = parameters.EnumOf<DigitalSignatureAlgorithm>(Tag.DigitalSignatureAlgorithm);
        var hash = parameters.EnumOf<HashingAlgorithm>(Tag.HashingAlgorithm);
        var padding = parameters.EnumOf<PaddingMethod>(Tag.PaddingMethod);
        var algorithm = parameters.EnumOf<CryptographicAlgorithm>(Tag.CryptographicAlgorithm);
        return (direct, algorithm, padding, hash) switch
        {
            (DigitalSignatureAlgorithm.Sha256WithRsaEncryption, _, _, _) => SignatureAlgorithm.RsaPkcs1Sha256,
            (DigitalSignatureAlgorithm.Sha384WithRsaEncryption, _, _, _) => SignatureAlgorithm.RsaPkcs1Sha384,
            (DigitalSignatureAlgorithm.Sha512WithRsaEncryption, _, _, _) => SignatureAlgorithm.RsaPkcs1Sha512,
            (DigitalSignatureAlgorithm.EcdsaWithSha256, _, _, _) => SignatureAlgorithm.EcdsaSha256,
            (DigitalSignatureAlgorithm.EcdsaWithSha384, _, _, _) => SignatureAlgorithm.EcdsaSha384,
            (DigitalSignatureAlgorithm.EcdsaWithSha512, _, _, _) => SignatureAlgorithm.EcdsaSha512,
            (DigitalSignatureAlgorithm.RsassaPss or null, _, PaddingMethod.Pss, HashingAlgorithm.Sha256) => SignatureAlgorithm.RsaPssSha256,
            (DigitalSignatureAlgorithm.RsassaPss or null, _, PaddingMethod.Pss, HashingAlgorithm.Sha384) => SignatureAlgorithm.RsaPssSha384,
            (DigitalSignatureAlgorithm.RsassaPss or null, _, PaddingMethod.Pss, HashingAlgorithm.Sha512) => SignatureAlgorithm.RsaPssSha512,
            (null, CryptographicAlgorithm.Rsa, PaddingMethod.Pkcs1V1_5, HashingAlgorithm.Sha256) => SignatureAlgorithm.RsaPkcs1Sha256,
            (null, CryptographicAlgorithm.Rsa, PaddingMethod.Pkcs1V1_5, HashingAlgorithm.Sha384) => SignatureAlgorithm.RsaPkcs1Sha384,
            (null, CryptographicAlgorithm.Rsa, PaddingMethod.Pkcs1V1_5, HashingAlgorithm.Sha512) => SignatureAlgorithm.RsaPkcs1Sha512,
            (null, CryptographicAlgorithm.Ecdsa or CryptographicAlgorithm.Ec, _, HashingAlgorithm.Sha256) => SignatureAlgorithm.EcdsaSha256,
            (null, CryptographicAlgorithm.Ecdsa or CryptographicAlgorithm.Ec, _, HashingAlgorithm.Sha384) => SignatureAlgorithm.EcdsaSha384,
            (null, CryptographicAlgorithm.Ecdsa or CryptographicAlgorithm.Ec, _, HashingAlgorithm.Sha512) => SignatureAlgorithm.EcdsaSha512,
            _ => throw new KmipFailure(ResultReason.UnsupportedCryptographicParameters,
                "signatures are RSA-PSS or RSA PKCS#1 v1.5 or ECDSA with SHA-256/384/512"),
        };
    }

    private async Task<TtlvItem> Sign(TtlvItem payload, CancellationToken ct)
    {
        var uid = payload.RequiredText(Tag.UniqueIdentifier);
        var signed = Expect<Signed>(await session.SignAsync(uid, SignatureOf(payload), payload.RequiredBytes(Tag.Data), ct));
        return Payload(Uid(uid), TtlvItem.ByteString(Tag.SignatureData, signed.Signature));
    }

    private async Task<TtlvItem> SignatureVerify(TtlvItem payload, CancellationToken ct)
    {
        var uid = payload.RequiredText(Tag.UniqueIdentifier);
        var checkedSignature = Expect<SignatureChecked>(await session.VerifyAsync(uid, SignatureOf(payload), payload.RequiredBytes(Tag.Data),
            payload.RequiredBytes(Tag.SignatureData), ct));
        return Payload(Uid(uid), TtlvItem.Enumeration(Tag.ValidityIndicator, checkedSignature.Valid ? 1u : 2u));
    }

    private async Task<TtlvItem> Mac(TtlvItem payload, CancellationToken ct)
    {
        var uid = payload.RequiredText(Tag.UniqueIdentifier);
        var mac = Expect<MacComputed>(await session.MacAsync(uid, payload.RequiredBytes(Tag.Data), ct));
        return Payload(Uid(uid), TtlvItem.ByteString(Tag.MacData, mac.Mac));
    }

    private async Task<TtlvItem> MacVerify(TtlvItem payload, CancellationToken ct)
    {
        var uid = payload.RequiredText(Tag.UniqueIdentifier);
        var checkedMac = Expect<MacChecked>(await session.MacVerifyAsync(uid, payload.RequiredBytes(Tag.Data), payload.RequiredBytes(Tag.MacData), ct));
        return Payload(Uid(uid), TtlvItem.Enumeration(Tag.ValidityIndicator, checkedMac.Valid ? 1u : 2u));
    }

    private static TtlvItem? Attribute(IEnumerable<KmipAttribute> attributes, string name) => attributes.FirstOrDefault(a => a.Name == name)?.Value;

    private static string NameOf(KmipAttribute attribute) =>
        attribute.Value.Type == TtlvType.Structure ? attribute.Value.RequiredText(Tag.NameValue) : attribute.Value.AsText();

    private static IReadOnlyList<string> NamesOf(IEnumerable<KmipAttribute> attributes) =>
        attributes.Where(a => a.Name == AttributeNames.Name).Select(NameOf).ToArray();

    private static int UsageMaskOf(IEnumerable<KmipAttribute> attributes) =>
        Attribute(attributes, AttributeNames.CryptographicUsageMask)?.AsInt32() ?? 0;

    /// <summary>A cryptographic refusal from the library (bad length, bad parameters) as a KMIP failure, not a crash.</summary>
    private static async Task<IVaultReply> Guarded(Func<Task<IVaultReply>> call)
    {
        try
        {
            return await call();
        }
        catch (OkvActors.Crypto.CryptoOperationException e)
        {
            throw new KmipFailure(ResultReason.InvalidField, e.Message);
        }
    }

    /// <summary>The reply the operation needs, or the KMIP failure that says what happened instead.</summary>
    public static T Expect<T>(IVaultReply reply) where T : IVaultReply => reply switch
    {
        T expected => expected,
        ObjectNotFound missing => throw new KmipFailure(ResultReason.ItemNotFound, $"no object {missing.Uid}"),
        AccessDenied denied => throw new KmipFailure(ResultReason.PermissionDenied, denied.Reason),
        TransitionRefused refused => throw new KmipFailure(ResultReason.WrongKeyLifecycleState, refused.Reason),
        OperationRefused { Kind: RefusalKind.WrongState } refused => throw new KmipFailure(ResultReason.WrongKeyLifecycleState, refused.Reason),
        OperationRefused { Kind: RefusalKind.WrongKind } refused => throw new KmipFailure(ResultReason.IllegalOperation, refused.Reason),
        OperationRefused refused => throw new KmipFailure(ResultReason.CryptographicFailure, refused.Reason),
        WriteRefused { Restricted: true } refused => throw new KmipFailure(ResultReason.GeneralFailure, refused.Reason),
        WriteRefused refused => throw new KmipFailure(ResultReason.GeneralFailure, refused.Reason),
        _ => throw new KmipFailure(ResultReason.GeneralFailure, $"unexpected reply {reply.GetType().Name}"),
    };
}
