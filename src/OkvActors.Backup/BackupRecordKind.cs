namespace OkvActors.Backup;

/// <summary>
/// What a record of the payload holds. The archive library only frames and encrypts them; the node encodes
/// each with the codec its own replication uses (see OkvActors.Cluster.Backup).
/// </summary>
public enum BackupRecordKind : byte
{
    /// <summary>Cluster settings (shard count, software version) as JSON.</summary>
    Settings = 1,

    /// <summary>The controller's registry and cluster policy (ControllerState) as JSON.</summary>
    ControllerRegistry = 2,

    /// <summary>Endpoints, wallets and grants: the replicated access registry in its own codec.</summary>
    AccessRegistry = 3,

    /// <summary>The writing node's audit chain head (sequence and hash) as JSON.</summary>
    AuditHead = 4,

    /// <summary>One managed object as its replicated record (material wrapped under the KEK, never plaintext).</summary>
    ManagedObject = 5,

    /// <summary>The cluster CA certificate (PEM): a restore issues the new node's certificate under the same CA.</summary>
    CaCertificate = 6,

    /// <summary>The end of the payload: the object count, authenticated with the last chunk. Never handed to callers.</summary>
    Trailer = 0xFF,
}

/// <summary>One record read back from an archive.</summary>
public sealed record BackupRecord(BackupRecordKind Kind, byte[] Data);
