using System.Security.Cryptography;
using OkvActors.Crypto;
using OkvActors.Crypto.Kek;
using OkvActors.Crypto.Keys;
using OkvActors.Crypto.Operations;
using OkvActors.KeyStore.Model;

namespace OkvActors.KeyStore.Vault;

/// <summary>
/// How to run a symmetric cipher: the mode (GCM: ciphertext || 16-byte tag; CBC: PKCS#5 padding), a
/// caller-chosen IV (for encryption; else a random one) and, for GCM, associated data.
/// </summary>
public sealed record CipherOptions(SymmetricMode Mode = SymmetricMode.Gcm, byte[]? Iv = null, byte[]? AssociatedData = null)
{
    public static readonly CipherOptions Default = new();
}

/// <summary>The outcome of a server-side cryptographic operation: a result, or the reason there is none.</summary>
public abstract record CryptoReply : IVaultReply;

public sealed record Encrypted(string Uid, byte[] Ciphertext, byte[] Iv) : CryptoReply;

public sealed record Decrypted(string Uid, byte[] Plaintext) : CryptoReply;

public sealed record Signed(string Uid, byte[] Signature) : CryptoReply;

/// <summary>The signature was checked: <paramref name="Valid"/> says whether it matched (a mismatch is an answer, not an error).</summary>
public sealed record SignatureChecked(string Uid, bool Valid) : CryptoReply;

public sealed record MacComputed(string Uid, byte[] Mac) : CryptoReply;

public sealed record MacChecked(string Uid, bool Valid) : CryptoReply;

/// <summary>A key pair (KMIP Create Key Pair): both objects stored and linked to each other.</summary>
public sealed record KeyPairStored(ManagedObject Private, ManagedObject Public) : IVaultReply;

/// <summary>The object exists but cannot do this (wrong state, wrong type, bad input); the message says why.</summary>
public sealed record OperationRefused(string Uid, string Reason, RefusalKind Kind = RefusalKind.BadInput) : CryptoReply;

/// <summary>Why an operation was refused, for protocols that must say so in a code (KMIP's result reasons).</summary>
public enum RefusalKind
{
    /// <summary>The input or parameters are unusable (or the cryptographic operation itself failed).</summary>
    BadInput,

    /// <summary>The object is of a type this operation does not take.</summary>
    WrongKind,

    /// <summary>The object's lifecycle state does not allow this operation.</summary>
    WrongState,
}

/// <summary>An object's material, unwrapped for a client that may read it (KMIP Get); the caller zeroes it after sending.</summary>
public sealed record MaterialExported(ManagedObject Object, byte[] Material) : CryptoReply;

/// <summary>
/// Key management on top of the replicated store: keys are generated here with a CSPRNG, wrapped under
/// the cluster KEK (UID as associated data) before they leave this object, and unwrapped only in memory,
/// only for the operation at hand, then zeroed. Plaintext key material never reaches the store, a log or
/// a reply.
/// </summary>
public sealed class KeyManager(IKeyVault store, KekRing kek, HybridLogicalClock clock, TimeProvider? time = null)
{
    /// <summary>A manager over a single KEK (a cluster that never rotated, and tests).</summary>
    public KeyManager(IKeyVault store, KeyEncryptionKey kek, HybridLogicalClock clock, TimeProvider? time = null)
        : this(store, new KekRing(kek), clock, time)
    {
    }

    /// <summary>The KEKs this manager wraps (newest) and unwraps (by the generation each blob names) with.</summary>
    public KekRing Keks => kek;

    /// <summary>KMIP Cryptographic Algorithm values for what this manager generates.</summary>
    public static class Algorithms
    {
        public const int Aes = 3;
        public const int Rsa = 4;
        public const int Ecdsa = 6;
        public const int HmacSha256 = 9;
        public const int HmacSha384 = 10;
        public const int HmacSha512 = 11;
    }

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public IKeyVault Store => store;

    /// <summary>This node's clock, for stamping attribute and access changes.</summary>
    public HybridLogicalClock Clock => clock;

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Creates a symmetric key (KMIP Create): Pre-Active, material generated on this node.</summary>
    public Task<IVaultReply> CreateSymmetricKeyAsync(SymmetricKeyAlgorithm algorithm, int lengthBits, IEnumerable<string> names,
        int usageMask = 0, string? wallet = null, CancellationToken ct = default)
    {
        var material = KeyGenerator.Symmetric(algorithm, lengthBits);
        try
        {
            return RegisterAsync(ObjectType.SymmetricKey, KmipAlgorithm(algorithm), lengthBits, material, names, usageMask, wallet, ct);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    /// <summary>
    /// Creates a key pair (KMIP Create Key Pair): private key (PKCS#8) and public key (SPKI), both stored
    /// wrapped, Pre-Active, linked to each other. The public object is written first, so a failure
    /// between the two writes leaves at most an unlinked public key, never a private key without one.
    /// </summary>
    public async Task<IVaultReply> CreateKeyPairAsync(KeyPairAlgorithm algorithm, int sizeBits, IReadOnlyList<string> names,
        string? wallet = null, CancellationToken ct = default)
    {
        using var pair = algorithm == KeyPairAlgorithm.Rsa
            ? KeyGenerator.Rsa(sizeBits)
            : KeyGenerator.Ec(sizeBits switch
            {
                256 => EcCurve.P256,
                384 => EcCurve.P384,
                521 => EcCurve.P521,
                _ => throw new CryptoOperationException(CryptoProblem.InvalidKey, $"EC keys are 256, 384 or 521 bits, not {sizeBits}"),
            });
        var kmipAlgorithm = algorithm == KeyPairAlgorithm.Rsa ? Algorithms.Rsa : Algorithms.Ecdsa;
        var (privateUid, publicUid) = (Guid.CreateVersion7().ToString(), Guid.CreateVersion7().ToString());
        var stamp = clock.Now();
        var publicObject = ManagedObject.Create(publicUid, ObjectType.PublicKey, kmipAlgorithm, pair.SizeBits,
                kek.Wrap(pair.PublicKeySpki, publicUid), stamp, _time.GetUtcNow(), names, 0, wallet)
            .SetLink(LinkType.PrivateKey, privateUid, stamp);
        var privateObject = ManagedObject.Create(privateUid, ObjectType.PrivateKey, kmipAlgorithm, pair.SizeBits,
                kek.Wrap(pair.PrivateKeyPkcs8, privateUid), stamp, _time.GetUtcNow(), names, 0, wallet)
            .SetLink(LinkType.PublicKey, publicUid, stamp);
        var storedPublic = await store.StoreAsync(publicObject, ct);
        if (storedPublic is not ObjectStored publicStored)
        {
            return storedPublic;
        }

        var storedPrivate = await store.StoreAsync(privateObject, ct);
        return storedPrivate is ObjectStored privateStored ? new KeyPairStored(privateStored.Object, publicStored.Object) : storedPrivate;
    }

    /// <summary>
    /// KMIP Re-key of a symmetric key: a new key with the same algorithm, length, names, usage and
    /// wallet, fresh material, linked both ways (Replaced/Replacement) to the old one, which keeps its
    /// state and material (it still decrypts what it protected) but hands its names to the replacement.
    /// </summary>
    public async Task<IVaultReply> ReKeyAsync(string uid, Func<ManagedObject, IVaultReply?>? admit = null, CancellationToken ct = default)
    {
        if (await store.GetAsync(uid, ReadFreshness.Latest, ct) is not ObjectFound { Object: var old } found)
        {
            return new ObjectNotFound(uid);
        }

        if (admit?.Invoke(old) is { } refusal)
        {
            return refusal;
        }

        if (old.Type != ObjectType.SymmetricKey || old.IsDestroyed)
        {
            return new OperationRefused(uid, $"{old} cannot be re-keyed (only symmetric keys that are not destroyed)",
                old.IsDestroyed ? RefusalKind.WrongState : RefusalKind.WrongKind);
        }

        var algorithm = old.Algorithm switch
        {
            Algorithms.Aes => SymmetricKeyAlgorithm.Aes,
            Algorithms.HmacSha256 => SymmetricKeyAlgorithm.HmacSha256,
            Algorithms.HmacSha384 => SymmetricKeyAlgorithm.HmacSha384,
            Algorithms.HmacSha512 => SymmetricKeyAlgorithm.HmacSha512,
            _ => (SymmetricKeyAlgorithm?)null,
        };
        if (algorithm is null)
        {
            return new OperationRefused(uid, $"{old} has an algorithm this node does not generate ({old.Algorithm})");
        }

        var material = KeyGenerator.Symmetric(algorithm.Value, old.Length);
        var newUid = Guid.CreateVersion7().ToString();
        try
        {
            clock.Observe(old.Names.Stamp);
            var stamp = clock.Now();
            var replacement = ManagedObject.Create(newUid, old.Type, old.Algorithm, old.Length, kek.Wrap(material, newUid), stamp,
                    _time.GetUtcNow(), old.Names.Value, old.UsageMask.Value, old.Wallet.Value)
                .SetLink(LinkType.ReplacedObject, uid, stamp);
            if (await store.StoreAsync(replacement, ct) is not ObjectStored stored)
            {
                return new WriteRefused($"the replacement for {uid} was not acknowledged; {uid} is unchanged", false);
            }

            // As KMIP has it, the names move to the replacement (so re-keying makes no name conflict).
            var linked = await store.ChangeAsync(uid, o => o.SetLink(LinkType.ReplacementObject, newUid, clock.Now()).SetNames([], clock.Now()), ct);
            return linked is ObjectStored ? stored : linked;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    /// <summary>KMIP Sign with an Active private key.</summary>
    public Task<IVaultReply> SignAsync(string uid, SignatureAlgorithm algorithm, byte[] data, Func<ManagedObject, IVaultReply?>? admit = null,
        CancellationToken ct = default) =>
        WithMaterialAsync(uid, o => o.Type == ObjectType.PrivateKey, "a private key", Usage.Protect, admit,
            (_, key) => new Signed(uid, Signer.Sign(algorithm, key, data)), ct);

    /// <summary>KMIP Signature Verify with a public key (Active, or Deactivated: old signatures stay checkable).</summary>
    public Task<IVaultReply> VerifyAsync(string uid, SignatureAlgorithm algorithm, byte[] data, byte[] signature,
        Func<ManagedObject, IVaultReply?>? admit = null, CancellationToken ct = default) =>
        WithMaterialAsync(uid, o => o.Type == ObjectType.PublicKey, "a public key", Usage.Process, admit,
            (_, key) => new SignatureChecked(uid, Signer.Verify(algorithm, key, data, signature)), ct);

    /// <summary>KMIP MAC with an Active HMAC key; the hash comes from the key's algorithm.</summary>
    public Task<IVaultReply> MacAsync(string uid, byte[] data, Func<ManagedObject, IVaultReply?>? admit = null, CancellationToken ct = default) =>
        WithMaterialAsync(uid, IsHmac, "an HMAC key", Usage.Protect, admit,
            (o, key) => new MacComputed(uid, Mac.Compute(MacOfAlgorithm(o.Algorithm), key, data)), ct);

    /// <summary>KMIP MAC Verify: constant-time comparison, allowed while Active or Deactivated.</summary>
    public Task<IVaultReply> MacVerifyAsync(string uid, byte[] data, byte[] mac, Func<ManagedObject, IVaultReply?>? admit = null,
        CancellationToken ct = default) =>
        WithMaterialAsync(uid, IsHmac, "an HMAC key", Usage.Process, admit,
            (o, key) => new MacChecked(uid, Mac.Verify(MacOfAlgorithm(o.Algorithm), key, data, mac)), ct);

    private static bool IsHmac(ManagedObject o) =>
        o.Type == ObjectType.SymmetricKey && o.Algorithm is Algorithms.HmacSha256 or Algorithms.HmacSha384 or Algorithms.HmacSha512;

    private static MacAlgorithm MacOfAlgorithm(int algorithm) => algorithm switch
    {
        Algorithms.HmacSha256 => MacAlgorithm.HmacSha256,
        Algorithms.HmacSha384 => MacAlgorithm.HmacSha384,
        _ => MacAlgorithm.HmacSha512,
    };

    /// <summary>Stores material a client supplied (KMIP Register), wrapped before it is stored.</summary>
    public Task<IVaultReply> RegisterAsync(ObjectType type, int algorithm, int lengthBits, ReadOnlySpan<byte> material,
        IEnumerable<string> names, int usageMask = 0, string? wallet = null, CancellationToken ct = default)
    {
        var uid = Guid.CreateVersion7().ToString();
        var wrapped = kek.Wrap(material, uid);
        var created = ManagedObject.Create(uid, type, algorithm, lengthBits, wrapped, clock.Now(), _time.GetUtcNow(), names, usageMask, wallet);
        return store.StoreAsync(created, ct);
    }

    public Task<IVaultReply> ActivateAsync(string uid, CancellationToken ct = default) => store.ActivateAsync(uid, _time.GetUtcNow(), ct);

    public Task<IVaultReply> RevokeAsync(string uid, RevocationReason reason, CancellationToken ct = default) =>
        store.RevokeAsync(uid, reason, _time.GetUtcNow(), ct);

    public Task<IVaultReply> DestroyAsync(string uid, CancellationToken ct = default) => store.DestroyAsync(uid, _time.GetUtcNow(), ct);

    /// <summary>Replaces an object's names (how an operator resolves a name conflict).</summary>
    public Task<IVaultReply> RenameAsync(string uid, IReadOnlyList<string> names, CancellationToken ct = default) =>
        store.ChangeAsync(uid, o =>
        {
            // Stamp after everything this object has seen, or the rename could lose to an older write.
            clock.Observe(o.Names.Stamp);
            return o.SetNames(names, clock.Now());
        }, ct);

    /// <summary>AES encryption with an Active key (KMIP Encrypt); GCM with a fresh nonce unless <paramref name="options"/> say otherwise.</summary>
    public Task<IVaultReply> EncryptAsync(string uid, byte[] plaintext, CipherOptions? options = null, Func<ManagedObject, IVaultReply?>? admit = null,
        CancellationToken ct = default)
    {
        var o = options ?? CipherOptions.Default;
        return WithMaterialAsync(uid, IsAes, "an AES key", Usage.Protect, admit, (_, key) =>
        {
            var result = SymmetricCipher.Encrypt(o.Mode, key, plaintext, o.Iv, o.AssociatedData);
            return new Encrypted(uid, result.Ciphertext, result.Iv);
        }, ct);
    }

    /// <summary>AES decryption (KMIP Decrypt); allowed while Active or Deactivated (data protected earlier stays readable).</summary>
    public Task<IVaultReply> DecryptAsync(string uid, byte[] ciphertext, byte[] iv, CipherOptions? options = null,
        Func<ManagedObject, IVaultReply?>? admit = null, CancellationToken ct = default)
    {
        var o = options ?? CipherOptions.Default;
        return WithMaterialAsync(uid, IsAes, "an AES key", Usage.Process, admit,
            (_, key) => new Decrypted(uid, SymmetricCipher.Decrypt(o.Mode, key, ciphertext, iv, o.AssociatedData)), ct);
    }

    /// <summary>KMIP Get: the material of any object that still has it, for a caller already allowed to read it.</summary>
    public Task<IVaultReply> ExportAsync(string uid, Func<ManagedObject, IVaultReply?>? admit = null, CancellationToken ct = default) =>
        WithMaterialAsync(uid, _ => true, "an object with material", Usage.Export, admit, (o, key) => new MaterialExported(o, key.ToArray()), ct);

    /// <summary>What an operation does with the material, which decides the lifecycle states it may run in.</summary>
    private enum Usage
    {
        /// <summary>Protects new data (encrypt, sign, MAC): Active only.</summary>
        Protect,

        /// <summary>Processes data protected earlier (decrypt, verify): also Deactivated or Compromised.</summary>
        Process,

        /// <summary>Hands the material out (Get): any state but destroyed.</summary>
        Export,
    }

    private static bool IsAes(ManagedObject o) => o.Type == ObjectType.SymmetricKey && o.Algorithm == Algorithms.Aes;

    /// <summary>
    /// Runs <paramref name="operation"/> with the object's unwrapped material, then zeroes it. The object
    /// must be of the right kind and, for operations that protect new data, Active; Deactivated and
    /// Compromised keys still serve operations on data protected earlier (decrypt, verify).
    /// </summary>
    /// <param name="admit">Checks the object before its material is unwrapped (access control); a reply refuses.</param>
    private async Task<IVaultReply> WithMaterialAsync(string uid, Func<ManagedObject, bool> kind, string kindName, Usage usage,
        Func<ManagedObject, IVaultReply?>? admit, Func<ManagedObject, byte[], CryptoReply> operation, CancellationToken ct)
    {
        // Every acknowledged change counts: a key revoked on another node is refused here at once.
        var reply = await store.GetAsync(uid, ReadFreshness.Acknowledged, ct);
        if (reply is not ObjectFound { Object: var o })
        {
            return reply;
        }

        if (admit?.Invoke(o) is { } refusal)
        {
            return refusal;
        }

        if (!kind(o))
        {
            return new OperationRefused(uid, $"{o} is not {kindName}", RefusalKind.WrongKind);
        }

        var usable = usage switch
        {
            Usage.Protect => o.State == LifecycleState.Active,
            Usage.Process => o.State is LifecycleState.Active or LifecycleState.Deactivated or LifecycleState.Compromised,
            _ => !o.IsDestroyed,
        };
        if (!usable || o.WrappedMaterial is null)
        {
            return new OperationRefused(uid, $"{o} cannot be used for this operation in state {o.State}", RefusalKind.WrongState);
        }

        var key = kek.Unwrap(o.WrappedMaterial, uid);
        try
        {
            return operation(o, key);
        }
        catch (CryptoOperationException e)
        {
            return new OperationRefused(uid, e.Message);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static int KmipAlgorithm(SymmetricKeyAlgorithm algorithm) => algorithm switch
    {
        SymmetricKeyAlgorithm.Aes => Algorithms.Aes,
        SymmetricKeyAlgorithm.HmacSha256 => Algorithms.HmacSha256,
        SymmetricKeyAlgorithm.HmacSha384 => Algorithms.HmacSha384,
        SymmetricKeyAlgorithm.HmacSha512 => Algorithms.HmacSha512,
        _ => 0,
    };
}
