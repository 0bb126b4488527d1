using OkvActors.KeyStore.Model;

namespace OkvActors.Rest.Api;

/// <summary>An object's metadata as the API shows it; never its material.</summary>
public sealed record ObjectView(
    string Uid,
    string Type,
    string Algorithm,
    int Length,
    string State,
    IReadOnlyList<string> Names,
    string? Wallet,
    int UsageMask,
    string Creator,
    DateTimeOffset InitialDate,
    bool HasMaterial,
    IReadOnlyDictionary<string, string> Links)
{
    public static ObjectView Of(ManagedObject o) => new(
        o.Uid,
        RestJson.Name(o.Type),
        Algorithms.NameOf(o.Algorithm),
        o.Length,
        RestJson.Name(o.State),
        o.Names.Value,
        o.Wallet.Value,
        o.UsageMask.Value,
        o.Creator,
        o.InitialDate,
        o.WrappedMaterial is not null,
        o.Links.Where(l => l.Value.Value is not null).ToDictionary(l => RestJson.Name(l.Key), l => l.Value.Value!));
}

public sealed record ObjectPage(IReadOnlyList<ObjectView> Objects, int Offset, int Limit, int? NextOffset);

public sealed record KeyPairView(ObjectView PrivateKey, ObjectView PublicKey);

/// <summary>POST /v1/objects/symmetric-keys. Algorithm: aes, hmac-sha256, hmac-sha384, hmac-sha512.</summary>
public sealed record CreateSymmetricKeyRequest(string? Algorithm = null, int? Length = null, IReadOnlyList<string>? Names = null, int UsageMask = 0,
    string? Wallet = null);

/// <summary>POST /v1/objects/key-pairs. Algorithm: rsa (size 2048..4096) or ec (256, 384, 521).</summary>
public sealed record CreateKeyPairRequest(string? Algorithm = null, int? Size = null, IReadOnlyList<string>? Names = null, string? Wallet = null);

/// <summary>POST /v1/objects/registered: material the client holds (base64; PKCS#8 for private keys, SPKI for public keys).</summary>
public sealed record RegisterRequest(string? Type, string? Algorithm, int Length, string? Material, IReadOnlyList<string>? Names = null,
    int UsageMask = 0, string? Wallet = null);

public sealed record RevokeRequest(string? Reason = null);

/// <summary>An object's material (base64), for an identity allowed to read it.</summary>
public sealed record MaterialView(string Uid, string Type, string Material);

/// <summary>Mode: gcm (default; ciphertext carries the 16-byte tag at its end) or cbc (PKCS#7 padding).</summary>
public sealed record EncryptRequest(string? Data, string? Mode = null, string? Iv = null, string? AssociatedData = null);

public sealed record EncryptResult(string Ciphertext, string Iv);

public sealed record DecryptRequest(string? Ciphertext, string? Iv, string? Mode = null, string? AssociatedData = null);

public sealed record DecryptResult(string Data);

/// <summary>Algorithm: rsa-pss-sha256 … rsa-pkcs1-sha512, ecdsa-sha256 … ecdsa-sha512.</summary>
public sealed record SignRequest(string? Data, string? Algorithm);

public sealed record SignResult(string Signature);

public sealed record VerifyRequest(string? Data, string? Signature, string? Algorithm);

public sealed record VerifyResult(bool Valid);

public sealed record MacRequest(string? Data);

public sealed record MacResult(string Mac);

public sealed record MacVerifyRequest(string? Data, string? Mac);

public sealed record WalletView(string Name, string Description);

public sealed record CreateWalletRequest(string? Name, string? Description = null);

public sealed record GrantView(string Endpoint, string Wallet, string Level);

/// <summary>PUT /v1/grants. Level: read-only, read-modify, manage, or none (revokes the grant).</summary>
public sealed record GrantRequest(string? Endpoint, string? Wallet, string? Level);

public sealed record EndpointView(string Name, string Fingerprint, string? DefaultWallet);

/// <summary>
/// POST /v1/endpoints: a CSR (PEM, EC key) in, a certificate of the cluster CA out. The CA key is sealed under
/// the recovery passphrase on every node, so enrolment needs it, as `okv issue` does; it is used once and never logged.
/// </summary>
public sealed record EnrolRequest(string? Name, string? Csr, string? Passphrase, string? DefaultWallet = null, int ValidityDays = 365);

public sealed record EnrolResult(string Name, string Fingerprint, string Certificate, string Ca);

public sealed record ResolveConflictRequest(string? Uid, string? Name);
