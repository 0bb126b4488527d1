using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using OkvActors.Backup;
using OkvActors.Cluster;
using OkvActors.Cluster.Audit;
using OkvActors.Cluster.Backup;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Secrets;
using OkvActors.Cluster.Storage;
using OkvActors.Cluster.Trust;
using OkvActors.Crypto.Kek;
using OkvActors.Node.Cli;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Sealing;

namespace OkvActors.Node.Commands;

/// <summary>
/// `okv restore`: brings an archive up as a new cluster whose only node (its controller) is made here. It keeps
/// the CA (endpoint certificates go on working), the KEK and, through the first run's import, every object, the
/// access registry and the cluster policy; the node gets a new certificate, and every node certificate of the old
/// cluster is revoked in the new registry so none of them can talk to it. Its audit log continues from the archived
/// chain head. Everything that can refuse is checked before the first byte is written: a directory that is not
/// empty or holds a node, a node answering on its control socket, an archive that is not one, is cut off, altered,
/// newer than this software or locked by another passphrase.
/// </summary>
public static class Restore
{
    public static async Task<string> Run(string archivePath, string dirPath, string name, string? subgroup, NodeAddresses addresses,
        string passphrase, TimeSpan certificateValidity)
    {
        var dir = new NodeDirectory(dirPath);
        await RefuseRunningNode(dir);
        if (dir.HasManifest)
        {
            var existing = dir.ReadManifest();
            throw new CliError($"{dir.Root} already holds node '{existing.Name}'" +
                               (existing.Cluster is null ? "" : $" of cluster '{existing.Cluster}'") +
                               "; a restore makes a new node: use a new, empty --dir", CliError.Refused);
        }

        if (Directory.Exists(dir.Root) && Directory.EnumerateFileSystemEntries(dir.Root).Any())
        {
            throw new CliError($"{dir.Root} is not empty; a restore makes a new node: use a new, empty --dir", CliError.Refused);
        }

        NodeNames.Validate(name);
        if (!File.Exists(archivePath))
        {
            throw new CliError($"archive {archivePath} does not exist");
        }

        var archive = Path.GetFullPath(archivePath);
        byte[] kek;
        byte[] caKey;
        BackupHeader header;
        ArchiveSummary summary;
        byte[] sealedKek;
        byte[] sealedCaKey;
        try
        {
            await using var input = File.OpenRead(archive);
            using var reader = BackupArchiveReader.Open(input, SoftwareVersion.Current, archive);
            header = reader.Header;
            kek = reader.UnsealKek(passphrase);
            caKey = reader.UnsealCaKey(passphrase);
            reader.Unlock(kek);
            summary = ArchiveSummary.Read(reader);
            (sealedKek, sealedCaKey) = (reader.SealedKek, reader.SealedCaKey);
        }
        catch (BackupArchiveException e)
        {
            throw new CliError($"{e.Message}; nothing was written", CliError.Refused);
        }
        catch (FormatException e)
        {
            throw new CliError($"{archive} holds a record that does not read ({e.Message}); nothing was written", CliError.Refused);
        }

        var writing = false;
        try
        {
            if (summary.Missing() is { } missing)
            {
                throw new CliError($"{archive} holds no {missing}: it is not a complete backup; nothing was written", CliError.Refused);
            }

            var registry = summary.Registry!;
            var chosenSubgroup = subgroup ?? registry.Policy.Subgroups.FirstOrDefault() ?? "sg01";
            NodeNames.Validate(chosenSubgroup, "subgroup name");
            using var caCertificate = Pem.ReadCertificate(summary.CaCertificatePem!);
            using var ca = ClusterCa.Load(caCertificate, caKey);

            // From here on files are written: if writing fails, what was written goes again (the directory was empty).
            writing = true;
            dir.Create();
            using var nodeKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var csr = SigningRequest.Create(name, AddressesOf(addresses.Host), nodeKey);
            using var certificate = ca.IssueNode(csr, certificateValidity);
            Pem.WritePrivateFile(dir.KeyFile, Pem.PrivateKey(nodeKey));
            Pem.WriteFile(dir.CertificateFile, Pem.Certificate(certificate));
            Pem.WriteFile(dir.CaFile, summary.CaCertificatePem!);
            // The archive's own sealed copies: they open with the passphrase just given.
            Pem.WritePrivateFile(dir.SealedKekFile, sealedKek);
            Pem.WritePrivateFile(dir.SealedCaKeyFile, sealedCaKey);
            Pem.WritePrivateFile(dir.WrappedKekFile, PublicKeyWrap.Wrap(kek, certificate.PublicKey, NodeCredentials.KekPurpose));
            // The objects name the KEK's generation: the restored node must hold it as that generation.
            using (var restoredKek = new KeyEncryptionKey(kek, header.KekGeneration))
            {
                KeyringFiles.WriteCurrent(dir, restoredKek);
            }

            var cluster = registry.Policy.ClusterName;
            var manifest = new NodeManifest(name, chosenSubgroup, addresses.Host, addresses.Port, addresses.KmipPort, addresses.ManagementPort,
                addresses.HttpsPort, NodeStage.Member, cluster, null, Founder: true, ShardCount: summary.Settings!.ShardCount);
            var genesis = RestoredRegistry(registry, new NodeRecord(name, chosenSubgroup, NodeState.Active, csr.Fingerprint,
                manifest.RemotingAddress(cluster), SoftwareVersion.Current, DateTimeOffset.UtcNow));
            File.WriteAllText(dir.GenesisFile, JsonSerializer.Serialize(genesis, GenesisJson.Options));
            AuditAnchor.Write(dir, summary.AuditHead!);
            Directory.CreateDirectory(dir.RestoreDir);
            File.Copy(archive, dir.RestoreArchiveFile);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(dir.RestoreArchiveFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            // Last: until node.json exists the directory is not a node.
            dir.WriteManifest(manifest);
            return $"restored cluster '{cluster}' from the backup of node '{header.Node}' made {header.CreatedAt:u} by OkvActors {header.SoftwareVersion} " +
                   $"({summary.Objects} objects, KEK {header.KekId}, audit head {summary.AuditHead!.Sequence}): node '{name}' (subgroup {chosenSubgroup}) " +
                   $"is its controller; {registry.Nodes.Count} node certificate(s) of the old cluster are revoked.\n" +
                   $"Start it with: okv run --dir {dir.Root} (its first run imports the objects before it serves)";
        }
        catch when (writing)
        {
            RemoveContents(dir.Root);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
            CryptographicOperations.ZeroMemory(caKey);
        }
    }

    private static void RemoveContents(string root)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(root))
        {
            if (Directory.Exists(entry))
            {
                Directory.Delete(entry, recursive: true);
            }
            else
            {
                File.Delete(entry);
            }
        }
    }

    /// <summary>
    /// The archived registry as the new cluster's genesis: its policy (with the new node's subgroup), the new node
    /// as the only active one, every old node force-removed with its certificate revoked, no pending approvals.
    /// </summary>
    public static ControllerState RestoredRegistry(ControllerState archived, NodeRecord founder)
    {
        var now = founder.Since;
        var revocations = archived.Revocations.ToList();
        foreach (var old in archived.Nodes.Where(n => !archived.IsRevoked(n.Fingerprint)))
        {
            revocations.Add(new Revocation(old.Fingerprint, old.Name, "node of the cluster before it was restored from a backup", now));
        }

        var oldNodes = archived.Nodes.Where(n => n.Name != founder.Name)
            .Select(n => n.IsGone ? n : n with { State = NodeState.ForceRemoved, Since = now });
        var subgroups = archived.Policy.Subgroups.Contains(founder.Subgroup) ? archived.Policy.Subgroups : [.. archived.Policy.Subgroups, founder.Subgroup];
        return new ControllerState(archived.Version + 1, founder.Name, archived.Policy with { Subgroups = subgroups },
            oldNodes.Append(founder).OrderBy(n => n.Name, StringComparer.Ordinal).ToArray(), [], revocations);
    }

    /// <summary>Restoring over a running node would put two nodes on one directory: refused while its control socket answers.</summary>
    private static async Task RefuseRunningNode(NodeDirectory dir)
    {
        if (!File.Exists(dir.ControlSocket))
        {
            return;
        }

        try
        {
            await ControlClient.SendAsync(dir.ControlSocket, new ControlRequest("status"), TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is ControlException or SocketException or IOException or OperationCanceledException)
        {
            // A socket file left by a node that is gone: the directory checks below still refuse a non-empty directory.
            return;
        }

        throw new CliError($"a node is running on {dir.Root} (its control socket answers): restoring into a running node is refused; " +
                           "restore into a new, empty --dir", CliError.Refused);
    }

    private static IEnumerable<IPAddress> AddressesOf(string host) =>
        IPAddress.TryParse(host, out var ip) ? [ip] : [];
}
