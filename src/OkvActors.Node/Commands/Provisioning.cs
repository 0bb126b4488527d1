using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Akka.Configuration;
using OkvActors.Cluster;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Storage;
using OkvActors.Cluster.Trust;
using OkvActors.Crypto.Hsm;
using OkvActors.Node.Cli;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Sealing;
using OkvActors.Pki.Trust;

namespace OkvActors.Node.Commands;

public sealed record NodeAddresses(string Host, int Port, int KmipPort, int ManagementPort, int HttpsPort);

/// <summary>
/// The single-node production verbs: init (the controller), candidate, admit (on the controller), join
/// (on the candidate) and issue (endpoint and operator identities). Each validates everything before it
/// writes anything, so a refused step leaves the data directory as it was. With an HSM (init and join),
/// the node's copy of the KEK is sealed by the HSM (secrets/kek.hsm) instead of wrapped to its node key,
/// and the HSM is opened and logged in to before anything is written or anyone is asked for admission.
/// </summary>
public static class Provisioning
{
    private static readonly TimeSpan ControlTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Bounds for <c>--shard-count</c>: at least one shard, and few enough that shard keys stay four digits (okv-shard-NNNN).</summary>
    public const int MinShardCount = 1;

    public const int MaxShardCount = 9999;

    public static string Init(string dirPath, string cluster, string name, string subgroup, NodeAddresses addresses,
        string passphrase, int maxNodes, TimeSpan maxClockSkew, TimeSpan maxDisable, TimeSpan certificateValidity,
        HsmOptions? hsm = null, string? hsmPin = null, int? shardCount = null)
    {
        var dir = new NodeDirectory(dirPath);
        dir.EnsureEmpty();
        NodeNames.Validate(cluster, "cluster name");
        NodeNames.Validate(name);
        NodeNames.Validate(subgroup, "subgroup name");
        if (maxNodes is < ClusterPolicy.LowestMaxNodes or > ClusterPolicy.HighestMaxNodes)
        {
            throw new CliError($"--max-nodes must be between {ClusterPolicy.LowestMaxNodes} and {ClusterPolicy.HighestMaxNodes}, not {maxNodes}");
        }

        if (shardCount is < MinShardCount or > MaxShardCount)
        {
            throw new CliError($"--shard-count must be between {MinShardCount} and {MaxShardCount}, not {shardCount}");
        }

        PassphraseSeal.CheckStrength(passphrase);
        using var seal = OpenHsm(hsm, hsmPin);
        dir.Create();
        using var ca = ClusterCa.Create(cluster);
        var kek = RandomNumberGenerator.GetBytes(32);
        var caKey = ca.ExportKeyPkcs8();
        try
        {
            using var nodeKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var csr = SigningRequest.Create(name, AddressesOf(addresses.Host), nodeKey);
            using var certificate = ca.IssueNode(csr, certificateValidity);
            Pem.WritePrivateFile(dir.KeyFile, Pem.PrivateKey(nodeKey));
            Pem.WriteFile(dir.CertificateFile, Pem.Certificate(certificate));
            Pem.WriteFile(dir.CaFile, Pem.Certificate(ca.Certificate));
            Pem.WritePrivateFile(dir.SealedCaKeyFile, PassphraseSeal.Seal(caKey, passphrase, NodeCredentials.CaKeyPurpose));
            Pem.WritePrivateFile(dir.SealedKekFile, PassphraseSeal.Seal(kek, passphrase, NodeCredentials.KekPurpose));
            WriteNodeKek(dir, kek, certificate.PublicKey, seal);

            var manifest = new NodeManifest(name, subgroup, addresses.Host, addresses.Port, addresses.KmipPort,
                addresses.ManagementPort, addresses.HttpsPort, NodeStage.Member, cluster, null, Founder: true, Hsm: hsm, ShardCount: shardCount);
            var policy = new ClusterPolicy(cluster, [subgroup], maxNodes, maxClockSkew, maxDisable);
            var founder = new NodeRecord(name, subgroup, NodeState.Active, csr.Fingerprint, manifest.RemotingAddress(cluster),
                SoftwareVersion.Current, DateTimeOffset.UtcNow);
            File.WriteAllText(dir.GenesisFile, JsonSerializer.Serialize(ControllerState.Genesis(policy, founder, name), GenesisJson.Options));
            dir.WriteManifest(manifest);
            return $"initialised cluster '{cluster}': node '{name}' (subgroup {subgroup}) is its controller; " +
                   $"CA fingerprint {Fingerprint.Of(ca.Certificate)}. Start it with: okv run --dir {dir.Root}";
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
            CryptographicOperations.ZeroMemory(caKey);
        }
    }

    public static (string Message, string Fingerprint) Candidate(string dirPath, string name, string subgroup, NodeAddresses addresses)
    {
        var dir = new NodeDirectory(dirPath);
        dir.EnsureEmpty();
        NodeNames.Validate(name);
        NodeNames.Validate(subgroup, "subgroup name");
        dir.Create();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = SigningRequest.Create(name, AddressesOf(addresses.Host), key);
        Pem.WritePrivateFile(dir.KeyFile, Pem.PrivateKey(key));
        File.WriteAllText(dir.CsrFile, csr.PemText);
        dir.WriteManifest(new NodeManifest(name, subgroup, addresses.Host, addresses.Port, addresses.KmipPort,
            addresses.ManagementPort, addresses.HttpsPort, NodeStage.Candidate));
        return ($"candidate '{name}' (subgroup {subgroup}) is ready. CSR: {dir.CsrFile}\n" +
                $"fingerprint: {csr.Fingerprint}\n" +
                $"On the controller: okv admit --dir CONTROLLER_DIR --csr {dir.CsrFile} --fingerprint {csr.Fingerprint} --out BUNDLE",
            csr.Fingerprint);
    }

    public static async Task<string> Admit(string controllerDir, string csrPath, string fingerprint, string passphrase, string outPath,
        TimeSpan certificateValidity)
    {
        var dir = new NodeDirectory(controllerDir);
        var manifest = MemberManifest(dir);
        if (!File.Exists(csrPath))
        {
            throw new CliError($"CSR file {csrPath} does not exist");
        }

        var csr = SigningRequest.Parse(File.ReadAllText(csrPath));
        if (csr.Fingerprint != Fingerprint.Normalize(fingerprint))
        {
            throw new CliError(
                $"the CSR's fingerprint is {csr.Fingerprint}, not the {Fingerprint.Normalize(fingerprint)} you were given: it is not the candidate's CSR; do not admit it",
                CliError.Refused);
        }

        using var ca = UnsealCa(dir, passphrase);
        var approval = await Control(dir, "approve", new()
        {
            ["name"] = csr.Name,
            ["fingerprint"] = csr.Fingerprint,
            ["publicKeyInfo"] = Convert.ToBase64String(csr.PublicKey.ExportSubjectPublicKeyInfo()),
        });
        using var certificate = ca.IssueNode(csr, certificateValidity);
        var seeds = await UpMembers(dir);
        var bundle = new Bundle(manifest.Cluster!, csr.Name, Pem.Certificate(certificate), Pem.Certificate(ca.Certificate), seeds, manifest.ShardCount);
        File.WriteAllText(outPath, bundle.ToJson());
        return $"{approval}. Bundle for '{csr.Name}': {Path.GetFullPath(outPath)}\nOn the candidate: okv join --dir CANDIDATE_DIR --bundle {outPath}";
    }

    /// <summary>
    /// Installs the bundle and asks for admission, as a safe conversion: every check that needs no one else runs
    /// first; then a checkpoint of the candidate directory is taken, and if admission or writing the member files
    /// fails the directory is put back byte for byte (and an admission already granted is taken back), with the
    /// reason in the error. On success the node is at stage Joining: its first `okv run` completes the join.
    /// A join an earlier process left unfinished is rolled back first (<paramref name="recovered"/> says so).
    /// </summary>
    public static async Task<string> Join(string dirPath, string bundlePath, Config operatorConfig, TimeProvider clock, TimeSpan timeout,
        HsmOptions? hsm = null, string? hsmPin = null, Action<string>? recovered = null)
    {
        var dir = new NodeDirectory(dirPath);
        if (dir.HasManifest && await Conversion.RecoverAsync(dir, operatorConfig, clock, timeout) is { } rolledBack)
        {
            recovered?.Invoke(rolledBack);
        }

        var manifest = dir.ReadManifest();
        if (manifest.Stage == NodeStage.Member)
        {
            throw new CliError(
                $"{dir.Root} already holds node '{manifest.Name}' of cluster '{manifest.Cluster}'; a data directory serves one cluster for life: use a new --dir",
                CliError.Refused);
        }

        if (manifest.Stage == NodeStage.Joining)
        {
            throw new CliError(
                $"node '{manifest.Name}' was already admitted to cluster '{manifest.Cluster}' and waits for its first sync: start it with okv run --dir {dir.Root}",
                CliError.Refused);
        }

        var bundle = Bundle.Read(bundlePath);
        if (bundle.Name != manifest.Name)
        {
            throw new CliError($"the bundle is for node '{bundle.Name}', this candidate is '{manifest.Name}'", CliError.Refused);
        }

        var keyPem = File.ReadAllText(dir.KeyFile);
        X509Certificate2 certificate;
        try
        {
            certificate = Pem.ReadCertificateWithKey(bundle.Certificate, keyPem);
        }
        catch (PkiException)
        {
            throw new CliError("the bundle's certificate was issued for another key (another candidate's CSR?)", CliError.Refused);
        }

        using var _ = certificate;
        using var ca = Pem.ReadCertificate(bundle.Ca);

        // A wrong PIN or a missing token must stop the join before the controller admits this node.
        using var seal = OpenHsm(hsm, hsmPin);
        var verdict = new PeerCertificateValidator(ca, new RevocationList(), RemotingTrust.RemotingRoles, clock).Validate(certificate);
        if (!verdict.Accepted)
        {
            throw new CliError($"the bundle's certificate is not usable: {verdict.Detail}", CliError.Refused);
        }

        var checkpoint = DataDirectoryCheckpoint.Take(dir, Conversion.JoinOperation,
            $"okv join of candidate '{manifest.Name}' into cluster '{bundle.Cluster}'", clock);
        Admitted? admitted = null;
        try
        {
            var request = new RequestAdmission(manifest.Name, manifest.Subgroup, verdict.Fingerprint, SoftwareVersion.Current,
                clock.GetUtcNow(), manifest.RemotingAddress(bundle.Cluster));
            var reply = await AdmissionClient.RequestAsync(bundle.Cluster, bundle.Seeds, manifest.Host, certificate, ca, request,
                operatorConfig, clock, timeout);
            if (reply is AdmissionRejected rejected)
            {
                throw new CliError($"admission refused: {rejected.Reason}", CliError.Refused);
            }

            admitted = (Admitted)reply;
            WriteMemberFiles(dir, manifest, bundle, admitted, keyPem, seal, hsm);
            checkpoint.HandOver(Conversion.AwaitingFirstSync);
        }
        catch (Exception e)
        {
            var withdrawal = admitted is null
                ? null
                : await Conversion.WithdrawAsync(admitted.ClusterName, admitted.Seeds, manifest.Host, manifest.Name, certificate, ca,
                    $"writing its member files failed: {e.Message}", operatorConfig, clock, timeout);
            checkpoint.Restore();
            throw e switch
            {
                CliError refused when admitted is null => new CliError($"{refused.Message}; the candidate is unchanged", refused.ExitCode),
                _ when admitted is null => new CliError($"admission failed: {e.Message}; the candidate is unchanged"),
                _ => new CliError($"admitted, but the member files could not be written ({e.Message}); {withdrawal}; the candidate is back as it was"),
            };
        }

        return $"admitted: node '{manifest.Name}' joins cluster '{admitted.ClusterName}' at its first start, and becomes a member once it holds a full replica " +
               $"(if that fails it rolls back to this candidate). Start it with: okv run --dir {dir.Root}";
    }

    /// <summary>The member files, from an admission: certificate, CA, the node's copy of the KEK, the sealed secrets, node.json at stage Joining.</summary>
    private static void WriteMemberFiles(NodeDirectory dir, NodeManifest manifest, Bundle bundle, Admitted admitted, string keyPem,
        HsmKekSeal? seal, HsmOptions? hsm)
    {
        byte[] kek;
        using (var key = Pem.ReadPrivateKey(keyPem))
        {
            // Prove the KEK opens with our key before we record anything.
            kek = PublicKeyWrap.Unwrap(admitted.WrappedKek, key, NodeCredentials.KekPurpose);
        }

        try
        {
            // With an HSM the KEK is sealed from memory: the copy wrapped to our node key never reaches the disk.
            var hsmSealed = seal?.Seal(kek);
            Pem.WriteFile(dir.CertificateFile, bundle.Certificate);
            Pem.WriteFile(dir.CaFile, bundle.Ca);
            if (hsmSealed is null)
            {
                Pem.WritePrivateFile(dir.WrappedKekFile, admitted.WrappedKek);
            }
            else
            {
                Pem.WritePrivateFile(dir.HsmSealedKekFile, hsmSealed);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
        }

        Pem.WritePrivateFile(dir.SealedCaKeyFile, admitted.SealedCaKey);
        Pem.WritePrivateFile(dir.SealedKekFile, admitted.SealedKek);
        File.Delete(dir.CsrFile);
        dir.WriteManifest(manifest with
        {
            Stage = NodeStage.Joining,
            Cluster = admitted.ClusterName,
            Seeds = admitted.Seeds,
            Hsm = hsm,
            ShardCount = bundle.ShardCount,
        });
    }

    public static (string CertificateFile, string KeyFile) Issue(string controllerDir, CertificateRole role, string name, string outDir,
        string passphrase, TimeSpan validity)
    {
        var dir = new NodeDirectory(controllerDir);
        MemberManifest(dir);
        if (role == CertificateRole.Node)
        {
            throw new CliError("node certificates come only from `okv admit` (CSR flow)");
        }

        using var ca = UnsealCa(dir, passphrase);
        var (certificate, key) = ca.IssueWithNewKey(name, role, validity);
        using (certificate)
        using (key)
        {
            Directory.CreateDirectory(outDir);
            var certificateFile = Path.GetFullPath(Path.Combine(outDir, $"{name}.pem"));
            var keyFile = Path.GetFullPath(Path.Combine(outDir, $"{name}.key"));
            Pem.WriteFile(certificateFile, Pem.Certificate(certificate));
            Pem.WritePrivateFile(keyFile, Pem.PrivateKey(key));
            return (certificateFile, keyFile);
        }
    }

    public static async Task<string> Control(NodeDirectory dir, string command, Dictionary<string, string>? args = null) =>
        (await ControlData(dir, command, args)).Message;

    public static async Task<ControlResponse> ControlData(NodeDirectory dir, string command, Dictionary<string, string>? args = null)
    {
        var response = await ControlClient.SendAsync(dir.ControlSocket, new ControlRequest(command, args), ControlTimeout);
        if (!response.Ok)
        {
            throw new CliError(response.Message, CliError.Refused);
        }

        return response;
    }

    private static async Task<IReadOnlyList<string>> UpMembers(NodeDirectory dir)
    {
        var status = await ControlData(dir, "status");
        return status.Data!["members"]!.AsArray()
            .Where(m => m!["status"]!.GetValue<string>() == "Up")
            .Select(m => m!["address"]!.GetValue<string>())
            .ToArray();
    }

    private static NodeManifest MemberManifest(NodeDirectory dir)
    {
        var manifest = dir.ReadManifest();
        if (manifest.Stage != NodeStage.Member)
        {
            throw new CliError($"{dir.Root} holds a candidate, not a cluster member");
        }

        return manifest;
    }

    /// <summary>The cluster CA with its key, unsealed by the recovery passphrase; dispose it as soon as it has signed.</summary>
    public static ClusterCa UnsealCa(NodeDirectory dir, string passphrase) => NodeCredentials.UnsealCa(dir, passphrase);

    /// <summary>Opens and logs in to the HSM and makes sure its key exists, or returns null for a node without one.</summary>
    private static HsmKekSeal? OpenHsm(HsmOptions? hsm, string? pin)
    {
        if (hsm is null)
        {
            return null;
        }

        var seal = HsmKekSeal.Open(hsm, pin ?? throw new CliError($"--hsm-token needs the token's user PIN in {NodeCredentials.HsmPinVariable}"));
        try
        {
            seal.EnsureKey();
            return seal;
        }
        catch
        {
            seal.Dispose();
            throw;
        }
    }

    /// <summary>The node's own copy of the KEK: sealed by the HSM when it has one, else wrapped to its node key.</summary>
    private static void WriteNodeKek(NodeDirectory dir, byte[] kek, PublicKey nodeKey, HsmKekSeal? seal)
    {
        if (seal is null)
        {
            Pem.WritePrivateFile(dir.WrappedKekFile, PublicKeyWrap.Wrap(kek, nodeKey, NodeCredentials.KekPurpose));
        }
        else
        {
            Pem.WritePrivateFile(dir.HsmSealedKekFile, seal.Seal(kek));
        }
    }

    private static IEnumerable<IPAddress> AddressesOf(string host) =>
        IPAddress.TryParse(host, out var ip) ? [ip] : [];
}
