using System.Security.Cryptography;
using System.Text.Json;
using OkvActors.Cluster.Storage;
using OkvActors.Cluster.Trust;
using OkvActors.Crypto.Hsm;
using OkvActors.Crypto.Kek;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Sealing;

namespace OkvActors.Cluster.Secrets;

/// <summary>Which KEK generation a node's files hold: kek.* the current one, kek-previous.* the one a rotation re-wraps away from.</summary>
public sealed record KeyringFileEntry(int Generation, string KekId);

public sealed record KeyringManifest(KeyringFileEntry Current, KeyringFileEntry? Previous);

/// <summary>
/// A node's KEK files across a rotation. kek.wrapped (or kek.hsm) and kek.sealed always hold the newest
/// generation the node knows, so everything that reads them (restart, admission, backups) keeps working;
/// the previous generation sits in kek-previous.* until it retires. keyring.json names both and is written
/// first: a crash part-way leaves files whose KEK ids it still maps to generations, and the keeper writes
/// them again from the replicated keyring.
/// </summary>
public static class KeyringFiles
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static KeyringManifest? ReadManifest(NodeDirectory dir) =>
        File.Exists(dir.KeyringFile) ? JsonSerializer.Deserialize<KeyringManifest>(File.ReadAllText(dir.KeyringFile), Json) : null;

    /// <summary>The KEKs this node's files hold, as a ring; the current one from <paramref name="credentials"/> (already opened at start).</summary>
    public static KekRing LoadRing(NodeDirectory dir, NodeCredentials credentials, NodeManifest manifest)
    {
        var recorded = ReadManifest(dir);
        var current = new KeyEncryptionKey(credentials.Kek);
        current = WithGeneration(current, GenerationOf(recorded, current.KeyId));
        var ring = new KekRing(current);
        if (recorded?.Previous is { } previous && (File.Exists(dir.PreviousWrappedKekFile) || File.Exists(dir.PreviousHsmSealedKekFile)))
        {
            var raw = OpenOwnCopy(dir, manifest, previous: true);
            try
            {
                var kek = new KeyEncryptionKey(raw, GenerationOf(recorded, KekIdOf(raw)));
                ring.Add(kek);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(raw);
            }
        }

        return ring;
    }

    /// <summary>Writes the node's copies of <paramref name="current"/> and (while rotating) <paramref name="previous"/>.</summary>
    public static void WriteRotation(NodeDirectory dir, NodeCredentials credentials, NodeManifest manifest,
        KeyEncryptionKey current, byte[]? sealedCurrent, KeyEncryptionKey? previous, byte[]? sealedPrevious)
    {
        var recorded = new KeyringManifest(new KeyringFileEntry(current.Generation, current.KeyId),
            previous is null ? null : new KeyringFileEntry(previous.Generation, previous.KeyId));
        SealedSecretsFiles.ReplaceAtomically(dir.KeyringFile, JsonSerializer.SerializeToUtf8Bytes(recorded, Json));
        if (previous is not null)
        {
            WriteOwnCopy(dir, credentials, manifest, previous, previous: true);
            if (sealedPrevious is not null)
            {
                SealedSecretsFiles.ReplaceAtomically(dir.PreviousSealedKekFile, sealedPrevious);
            }
        }

        WriteOwnCopy(dir, credentials, manifest, current, previous: false);
        if (sealedCurrent is not null)
        {
            SealedSecretsFiles.ReplaceAtomically(dir.SealedKekFile, sealedCurrent);
        }
    }

    /// <summary>Records <paramref name="current"/> as the node's only KEK generation (after a retirement, or a restore).</summary>
    public static void WriteCurrent(NodeDirectory dir, KeyEncryptionKey current) =>
        SealedSecretsFiles.ReplaceAtomically(dir.KeyringFile,
            JsonSerializer.SerializeToUtf8Bytes(new KeyringManifest(new KeyringFileEntry(current.Generation, current.KeyId), null), Json));

    /// <summary>The previous generation is retired: its copies (own and passphrase-sealed) are deleted.</summary>
    public static void WriteRetired(NodeDirectory dir, KeyEncryptionKey current)
    {
        WriteCurrent(dir, current);
        foreach (var file in new[] { dir.PreviousWrappedKekFile, dir.PreviousHsmSealedKekFile, dir.PreviousSealedKekFile })
        {
            File.Delete(file);
        }
    }

    private static int GenerationOf(KeyringManifest? recorded, string kekId) =>
        recorded?.Current.KekId == kekId ? recorded.Current.Generation
        : recorded?.Previous?.KekId == kekId ? recorded.Previous.Generation
        : 1;

    private static string KekIdOf(byte[] raw)
    {
        using var kek = new KeyEncryptionKey(raw);
        return kek.KeyId;
    }

    private static KeyEncryptionKey WithGeneration(KeyEncryptionKey kek, int generation)
    {
        if (kek.Generation == generation)
        {
            return kek;
        }

        var raw = kek.Export();
        try
        {
            kek.Dispose();
            return new KeyEncryptionKey(raw, generation);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    private static byte[] OpenOwnCopy(NodeDirectory dir, NodeManifest manifest, bool previous)
    {
        if (manifest.Hsm is { } hsm)
        {
            using var seal = HsmKekSeal.Open(hsm, NodeCredentials.HsmPin(hsm));
            return seal.Unseal(File.ReadAllBytes(previous ? dir.PreviousHsmSealedKekFile : dir.HsmSealedKekFile));
        }

        using var key = Pem.ReadPrivateKey(File.ReadAllText(dir.KeyFile));
        return PublicKeyWrap.Unwrap(File.ReadAllBytes(previous ? dir.PreviousWrappedKekFile : dir.WrappedKekFile), key, NodeCredentials.KekPurpose);
    }

    private static void WriteOwnCopy(NodeDirectory dir, NodeCredentials credentials, NodeManifest manifest, KeyEncryptionKey kek, bool previous)
    {
        var raw = kek.Export();
        try
        {
            if (manifest.Hsm is { } hsm)
            {
                using var seal = HsmKekSeal.Open(hsm, NodeCredentials.HsmPin(hsm));
                SealedSecretsFiles.ReplaceAtomically(previous ? dir.PreviousHsmSealedKekFile : dir.HsmSealedKekFile, seal.Seal(raw));
            }
            else
            {
                SealedSecretsFiles.ReplaceAtomically(previous ? dir.PreviousWrappedKekFile : dir.WrappedKekFile,
                    PublicKeyWrap.Wrap(raw, credentials.Certificate.PublicKey, NodeCredentials.KekPurpose));
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }
}
