using OkvActors.Pki.Certificates;

namespace OkvActors.Cluster.Storage;

/// <summary>
/// The layout of a node's data directory. One place names every file so the CLI verbs, the running
/// node and the tests agree:
/// <code>
/// node.json              identity, addresses, stage, seeds
/// tls/node.key           the node's private key (0600, never leaves the node)
/// tls/node.pem, ca.pem   its certificate and the cluster CA
/// candidate.csr          the CSR while a candidate
/// secrets/kek.wrapped    the cluster KEK wrapped to the node key (restart without the passphrase)
/// secrets/kek.hsm        instead of kek.wrapped on a node with an HSM: the KEK sealed by the HSM key
/// secrets/*.sealed       CA key and KEK sealed under the recovery passphrase
/// secrets/sealed.generation  which passphrase change those files carry (absent: the ones init wrote)
/// secrets/keyring.json   the KEK generations the files hold (absent: one KEK, generation 1)
/// secrets/kek-previous.* the previous KEK generation while a rotation re-wraps (wrapped, hsm, sealed)
/// genesis.json           the founder's initial controller registry
/// store/okv.db           Akka.Persistence.Sql (SQLite): journal and snapshots (audit log, registries)
/// store/replicas.db      the durable replicas (SqlDurableStore), a file of their own
/// control.sock           local administration socket (owner-only)
/// audit-anchor.json      on a restored node: the archived audit chain head its log continues from
/// restore/               on a restored node until its first run has imported the archive's objects
/// </code>
/// </summary>
public sealed class NodeDirectory(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public string ManifestFile => Path.Combine(Root, "node.json");

    public string TlsDir => Path.Combine(Root, "tls");

    public string KeyFile => Path.Combine(TlsDir, "node.key");

    public string CertificateFile => Path.Combine(TlsDir, "node.pem");

    public string CaFile => Path.Combine(TlsDir, "ca.pem");

    public string CsrFile => Path.Combine(Root, "candidate.csr");

    public string SecretsDir => Path.Combine(Root, "secrets");

    public string WrappedKekFile => Path.Combine(SecretsDir, "kek.wrapped");

    /// <summary>The KEK sealed by the HSM (node.json names module, token and key label); replaces <see cref="WrappedKekFile"/>.</summary>
    public string HsmSealedKekFile => Path.Combine(SecretsDir, "kek.hsm");

    public string SealedKekFile => Path.Combine(SecretsDir, "kek.sealed");

    public string SealedCaKeyFile => Path.Combine(SecretsDir, "ca-key.sealed");

    /// <summary>The generation (and its writer) of the *.sealed files; see OkvActors.Cluster.Secrets.</summary>
    public string SealedGenerationFile => Path.Combine(SecretsDir, "sealed.generation");

    /// <summary>Which KEK generation kek.* and kek-previous.* hold; see OkvActors.Cluster.Secrets.KeyringFiles.</summary>
    public string KeyringFile => Path.Combine(SecretsDir, "keyring.json");

    public string PreviousWrappedKekFile => Path.Combine(SecretsDir, "kek-previous.wrapped");

    public string PreviousHsmSealedKekFile => Path.Combine(SecretsDir, "kek-previous.hsm");

    public string PreviousSealedKekFile => Path.Combine(SecretsDir, "kek-previous.sealed");

    public string GenesisFile => Path.Combine(Root, "genesis.json");

    public string StoreDir => Path.Combine(Root, "store");

    public string DatabaseFile => Path.Combine(StoreDir, "okv.db");

    /// <summary>
    /// The durable replicas' SQLite file, apart from the journal's: two writers in one SQLite file wait on each
    /// other's lock, and Microsoft.Data.Sqlite answers a busy database with a 150 ms sleep.
    /// </summary>
    public string ReplicaDatabaseFile => Path.Combine(StoreDir, "replicas.db");

    public string ControlSocket => Path.Combine(Root, "control.sock");

    public string AuditAnchorFile => Path.Combine(Root, "audit-anchor.json");

    /// <summary>Where `okv restore` leaves the archive for the node's first run to import (removed once imported).</summary>
    public string RestoreDir => Path.Combine(Root, "restore");

    public string RestoreArchiveFile => Path.Combine(RestoreDir, "archive.okvbak");

    /// <summary>Present while the import is pending; holds how many objects are already imported (resumable).</summary>
    public string RestoreProgressFile => Path.Combine(RestoreDir, "progress.json");

    public bool HasManifest => File.Exists(ManifestFile);

    public NodeManifest ReadManifest()
    {
        if (!HasManifest)
        {
            throw new PkiException($"{Root} holds no node (no node.json); create one with `okv init` or `okv candidate`");
        }

        return NodeManifest.FromJson(File.ReadAllText(ManifestFile));
    }

    private static readonly object ManifestUpdate = new();

    /// <summary>
    /// Read-modify-write of node.json under a process-wide lock: while a node runs, the seed recorder and the
    /// first sync both change it, and neither may write back a copy that lacks the other's change. Writes only
    /// when <paramref name="change"/> returns another manifest than the one it was given.
    /// </summary>
    public NodeManifest UpdateManifest(Func<NodeManifest, NodeManifest> change)
    {
        lock (ManifestUpdate)
        {
            var current = ReadManifest();
            var next = change(current);
            if (!ReferenceEquals(next, current))
            {
                WriteManifest(next);
            }

            return next;
        }
    }

    public void WriteManifest(NodeManifest manifest)
    {
        // Write-then-rename so a crash never leaves half a node.json.
        var temp = ManifestFile + ".tmp";
        File.WriteAllText(temp, manifest.ToJson());
        File.Move(temp, ManifestFile, overwrite: true);
    }

    public void Create()
    {
        foreach (var dir in new[] { Root, TlsDir, SecretsDir, StoreDir })
        {
            Directory.CreateDirectory(dir);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(SecretsDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Refuses to overwrite an existing node: re-initialising would orphan its keys.</summary>
    public void EnsureEmpty()
    {
        if (HasManifest)
        {
            var existing = ReadManifest();
            throw new PkiException(
                $"{Root} already holds node '{existing.Name}'{(existing.Cluster is null ? "" : $" of cluster '{existing.Cluster}'")}; use another --dir");
        }
    }
}
