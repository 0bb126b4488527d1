using System.Globalization;
using System.Security.Cryptography;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Storage;
using OkvActors.Cluster.Trust;
using OkvActors.Crypto.Kek;
using OkvActors.Node.Cli;
using OkvActors.Pki.Sealing;

namespace OkvActors.Node.Commands;

/// <summary>
/// `okv kek rotate`: opens the current KEK from this node's kek.sealed with the recovery passphrase, makes
/// the next generation, and hands the running node only sealed and wrapped blobs: the new KEK sealed under
/// the passphrase and wrapped under the current one, the current one wrapped under the new. No KEK crosses
/// the socket or the cluster in plaintext. The node checks the blobs open and publishes the keyring; the
/// cluster re-wraps every object in the background and retires the old KEK when none is left under it.
/// </summary>
public static class KekRotation
{
    private static readonly TimeSpan ControlTimeout = TimeSpan.FromSeconds(60);

    public static async Task<string> Run(string dirPath, string passphrase)
    {
        var dir = new NodeDirectory(dirPath);
        if (dir.ReadManifest().Stage != NodeStage.Member)
        {
            throw new CliError($"{dir.Root} holds a candidate, not a cluster member");
        }

        var status = (await Provisioning.ControlData(dir, "status")).Data!;
        var kekId = status["kekId"]!.GetValue<string>();
        var generation = status["kekGeneration"]!.GetValue<int>();
        var raw = PassphraseSeal.Unseal(File.ReadAllBytes(dir.SealedKekFile), passphrase, NodeCredentials.KekPurpose);
        Dictionary<string, string> args;
        try
        {
            using var current = new KeyEncryptionKey(raw, generation);
            if (current.KeyId != kekId)
            {
                throw new CliError(
                    $"{dir.SealedKekFile} holds KEK {current.KeyId} but the node runs with KEK {kekId} (generation {generation}): its sealed files are not current; nothing was changed",
                    CliError.Refused);
            }

            if (status["kekRotating"]?.GetValue<bool>() == true)
            {
                throw new CliError("a KEK rotation is already running; wait until `okv kek status` shows it done", CliError.Refused);
            }

            if (status["mode"]?.GetValue<string>() == "restricted")
            {
                throw new CliError($"restricted mode: {status["modeReason"]}; a KEK rotation cannot start without a majority, nothing was changed",
                    CliError.Refused);
            }

            using var next = KeyEncryptionKey.Generate(generation + 1);
            var nextRaw = next.Export();
            try
            {
                args = new Dictionary<string, string>
                {
                    ["currentKekId"] = current.KeyId,
                    ["currentGeneration"] = current.Generation.ToString(CultureInfo.InvariantCulture),
                    ["sealedCurrent"] = Convert.ToBase64String(File.ReadAllBytes(dir.SealedKekFile)),
                    ["newKekId"] = next.KeyId,
                    ["newGeneration"] = next.Generation.ToString(CultureInfo.InvariantCulture),
                    ["sealedNew"] = Convert.ToBase64String(PassphraseSeal.Seal(nextRaw, passphrase, NodeCredentials.KekPurpose)),
                    ["newUnderCurrent"] = Convert.ToBase64String(current.WrapKey(next)),
                    ["currentUnderNew"] = Convert.ToBase64String(next.WrapKey(current)),
                };
            }
            finally
            {
                CryptographicOperations.ZeroMemory(nextRaw);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }

        var response = await ControlClient.SendAsync(dir.ControlSocket, new ControlRequest("kek-rotate", args), ControlTimeout);
        return response.Ok ? response.Message : throw new CliError(response.Message, CliError.Refused);
    }
}
