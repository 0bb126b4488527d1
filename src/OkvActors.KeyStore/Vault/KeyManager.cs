using System.Security.Cryptography;
using OkvActors.Crypto;
using OkvActors.Crypto.Kek;
using OkvActors.Crypto.Keys;
using OkvActors.Crypto.Operations;
using OkvActors.KeyStore.Model;

namespace OkvActors.KeyStore.Vault;

/// <summary>The outcome of a server-side cryptographic operation: a result, or the reason there is none.</summary>
public abstract record CryptoReply : IVaultReply;

public sealed record Encrypted(string Uid, byte[] Ciphertext, byte[] Iv) : CryptoReply;

public sealed record Decrypted(string Uid, byte[] Plaintext) : CryptoReply;

/// <summary>The object exists but cannot do this (wrong state, wrong type, bad input); the message says why.</summary>
public sealed record OperationRefused(string Uid, string Reason) : CryptoReply;

/// <summary>
/// Key management on top of the replicated store: keys are generated here with a CSPRNG, wrapped under
/// the cluster KEK (UID as associated data) before they leave this object, and unwrapped only in memory,
/// only for the operation at hand, then zeroed. Plaintext key material never reaches the store, a log or
/// a reply.
/// </summary>
public sealed class KeyManager(IKeyVault store, KeyEncryptionKey kek, HybridLogicalClock clock, TimeProvider? time = null)
{
    /// <summary>KMIP Cryptographic Algorithm values for what this manager generates.</summary>
    public static class Algorithms
    {
        public const int Aes = 3;
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

    /// <summary>AES-GCM encryption with an Active symmetric key (KMIP Encrypt).</summary>
    public Task<IVaultReply> EncryptAsync(string uid, byte[] plaintext, Func<ManagedObject, IVaultReply?>? admit = null,
        CancellationToken ct = default) =>
        WithKeyAsync(uid, requireActive: true, admit, key =>
        {
            var result = SymmetricCipher.Encrypt(SymmetricMode.Gcm, key, plaintext);
            return new Encrypted(uid, result.Ciphertext, result.Iv);
        }, ct);

    /// <summary>AES-GCM decryption (KMIP Decrypt); allowed while Active or Deactivated (data protected earlier stays readable).</summary>
    public Task<IVaultReply> DecryptAsync(string uid, byte[] ciphertext, byte[] iv, Func<ManagedObject, IVaultReply?>? admit = null,
        CancellationToken ct = default) =>
        WithKeyAsync(uid, requireActive: false, admit, key => new Decrypted(uid, SymmetricCipher.Decrypt(SymmetricMode.Gcm, key, ciphertext, iv)), ct);

    /// <param name="admit">Checks the object before its key is unwrapped (access control); a reply refuses.</param>
    private async Task<IVaultReply> WithKeyAsync(string uid, bool requireActive, Func<ManagedObject, IVaultReply?>? admit,
        Func<byte[], CryptoReply> operation, CancellationToken ct)
    {
        // The latest state a majority holds: a key revoked on another node is refused here at once.
        var reply = await store.GetAsync(uid, ReadFreshness.Latest, ct);
        if (reply is not ObjectFound { Object: var o })
        {
            return reply;
        }

        if (admit?.Invoke(o) is { } refusal)
        {
            return refusal;
        }

        if (o.Type != ObjectType.SymmetricKey || o.Algorithm != Algorithms.Aes)
        {
            return new OperationRefused(uid, $"{o} is not an AES key");
        }

        var usable = requireActive
            ? o.State == LifecycleState.Active
            : o.State is LifecycleState.Active or LifecycleState.Deactivated or LifecycleState.Compromised;
        if (!usable || o.WrappedMaterial is null)
        {
            return new OperationRefused(uid, $"{o} cannot be used for this operation in state {o.State}");
        }

        var key = kek.Unwrap(o.WrappedMaterial, uid);
        try
        {
            return operation(key);
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
