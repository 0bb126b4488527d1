using System.Globalization;
using System.Security.Cryptography;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Secrets;
using OkvActors.Cluster.Storage;
using OkvActors.Cluster.Trust;
using OkvActors.Crypto.Kek;
using OkvActors.Node.Cli;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Sealing;

namespace OkvActors.Node.Commands;

/// <summary>
/// `okv passphrase change`: unseals the CA key and the KEK from this node's files with the old passphrase,
/// seals them under the new one and hands only the sealed blobs to the running node, which publishes them
/// to every node. Everything that can be refused (wrong old passphrase, weak or unchanged new one, files
/// that don't hold the node's KEK) is checked before anything is sent, so a refusal changes nothing.
/// </summary>
public static class PassphraseChange
{
    private static readonly TimeSpan ControlTimeout = TimeSpan.FromSeconds(60);

    public static async Task<string> Run(string dirPath, string oldPassphrase, string newPassphrase)
    {
        var dir = new NodeDirectory(dirPath);
        if (dir.ReadManifest().Stage != NodeStage.Member)
        {
            throw new CliError($"{dir.Root} holds a candidate, not a cluster member");
        }

        PassphraseSeal.CheckStrength(newPassphrase);
        if (newPassphrase == oldPassphrase)
        {
            throw new CliError("the new passphrase is the old one; nothing was changed", CliError.Refused);
        }

        // The node's own view first: which KEK it runs with and which generation its files carry.
        var status = await Provisioning.ControlData(dir, "status");
        var kekId = status.Data!["kekId"]!.GetValue<string>();
        var baseGeneration = status.Data!["sealedSecretsGeneration"]!.GetValue<long>();
        var (sealedCaKey, sealedKek) = Reseal(dir, oldPassphrase, newPassphrase, kekId);
        if (status.Data!["mode"]?.GetValue<string>() == "restricted")
        {
            throw new CliError($"restricted mode: {status.Data!["modeReason"]}; the passphrase cannot change without a majority, nothing was changed",
                CliError.Refused);
        }

        var response = await ControlClient.SendAsync(dir.ControlSocket, new ControlRequest("passphrase-change", new()
        {
            ["baseGeneration"] = baseGeneration.ToString(CultureInfo.InvariantCulture),
            ["kekId"] = kekId,
            ["sealedCaKey"] = Convert.ToBase64String(sealedCaKey),
            ["sealedKek"] = Convert.ToBase64String(sealedKek),
        }), ControlTimeout);
        if (!response.Ok)
        {
            throw new CliError(response.Message, CliError.Refused);
        }

        return $"recovery passphrase changed: {response.Message}";
    }

    /// <summary>The CA key and KEK sealed under the new passphrase; the plaintext lives only inside this call and is zeroed.</summary>
    private static (byte[] SealedCaKey, byte[] SealedKek) Reseal(NodeDirectory dir, string oldPassphrase, string newPassphrase, string kekId)
    {
        var caKey = PassphraseSeal.Unseal(File.ReadAllBytes(dir.SealedCaKeyFile), oldPassphrase, NodeCredentials.CaKeyPurpose);
        byte[]? kek = null;
        try
        {
            kek = PassphraseSeal.Unseal(File.ReadAllBytes(dir.SealedKekFile), oldPassphrase, NodeCredentials.KekPurpose);
            using (var check = new KeyEncryptionKey(kek))
            {
                if (check.KeyId != kekId)
                {
                    throw new CliError(
                        $"{dir.SealedKekFile} holds KEK {check.KeyId} but the node runs with KEK {kekId}: its sealed files are not current; nothing was changed",
                        CliError.Refused);
                }
            }

            // The CA key must still be the one the cluster CA certificate names.
            using (var caCertificate = Pem.ReadCertificate(File.ReadAllText(dir.CaFile)))
            using (ClusterCa.Load(caCertificate, caKey))
            {
            }

            return (PassphraseSeal.Seal(caKey, newPassphrase, NodeCredentials.CaKeyPurpose),
                PassphraseSeal.Seal(kek, newPassphrase, NodeCredentials.KekPurpose));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(caKey);
            if (kek is not null)
            {
                CryptographicOperations.ZeroMemory(kek);
            }
        }
    }

    /// <summary>Every member's sealed-secrets generation, as `okv secrets show` prints it.</summary>
    public static Task<ControlResponse> Show(string dirPath) => Provisioning.ControlData(new NodeDirectory(dirPath), "secrets-show");
}
