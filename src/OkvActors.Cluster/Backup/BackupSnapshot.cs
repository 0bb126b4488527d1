using System.Diagnostics;
using System.Text;
using Akka.Actor;
using Akka.DistributedData;
using OkvActors.Backup;
using OkvActors.Cluster.Audit;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Storage;
using OkvActors.Cluster.Trust;
using OkvActors.Crypto.Kek;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Serialization;
using OkvActors.KeyStore.Vault;

namespace OkvActors.Cluster.Backup;

/// <summary>What a backup reads on a running node.</summary>
public sealed record BackupSource(
    ActorSystem System,
    NodeManifest Manifest,
    NodeDirectory Directory,
    KekRing Keks,
    IActorRef ControllerProxy,
    IActorRef AuditLog,
    int ShardCount,
    TimeSpan ReadTimeout,
    TimeSpan AskTimeout);

/// <summary>
/// Writes one archive of a running node (<see cref="BackupArchiveWriter"/>): cluster settings, the CA
/// certificate, the controller's registry and policy, the access registry, this node's audit chain head, then
/// every managed object as its replicated record, shard by shard.
/// <para>
/// Consistency: the access registry and each shard are read with majority consistency, so every write
/// acknowledged (by a majority) before the backup started is in the archive even if this node's replica lags.
/// Shards are read one at a time and nothing is locked: writes go on meanwhile, and a write acknowledged during
/// the backup may or may not be in it. Only one shard's objects are in memory at a time.
/// </para>
/// The archive goes to a temporary file beside the target (owner-only), is flushed to disk and renamed into place,
/// so the target is either a complete archive or absent.
/// </summary>
public static class BackupSnapshot
{
    public const string Extension = ".okvbak";

    public static async Task<BackupRun> WriteAsync(BackupSource source, string path, bool scheduled, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.StartNew();
        var at = DateTimeOffset.UtcNow;
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        var replicator = DistributedData.Get(source.System).Replicator;
        var manifest = source.Manifest;
        var kek = source.Keks.Current;
        try
        {
            // The archive carries one sealed KEK: objects still under the previous one would not open after a restore.
            if (source.Keks.Keys.Count > 1)
            {
                throw new InvalidOperationException($"a KEK rotation is re-wrapping objects ({source.Keks.Keys.Count} KEKs held): back up once it has finished");
            }

            var registry = await source.ControllerProxy.Ask<RegistrySnapshot>(GetRegistry.Instance, source.AskTimeout, cancellationToken);
            var auditHead = await source.AuditLog.Ask<AuditHead>(GetAuditHead.Instance, source.AskTimeout, cancellationToken);
            var access = await ReadMajority<AccessRegistry>(replicator, KeyVaultActor.AccessKey, source, cancellationToken) ?? AccessRegistry.Empty;
            var header = new BackupHeader(SoftwareVersion.Current, manifest.Cluster!, manifest.Name, at, kek.KeyId, source.ShardCount) { KekGeneration = kek.Generation };
            var sealedKek = await File.ReadAllBytesAsync(source.Directory.SealedKekFile, cancellationToken);
            var sealedCaKey = await File.ReadAllBytesAsync(source.Directory.SealedCaKeyFile, cancellationToken);
            long objects;
            await using (var file = CreatePrivate(temp))
            {
                using var writer = BackupArchiveWriter.Create(file, header, kek, sealedKek, sealedCaKey);
                writer.Write(BackupRecordKind.Settings, ArchiveRecords.Encode(new ArchivedSettings(manifest.Cluster!, source.ShardCount, SoftwareVersion.Current)));
                writer.Write(BackupRecordKind.CaCertificate, Encoding.UTF8.GetBytes(await File.ReadAllTextAsync(source.Directory.CaFile, cancellationToken)));
                writer.Write(BackupRecordKind.ControllerRegistry, ArchiveRecords.Encode(registry.State));
                writer.Write(BackupRecordKind.AccessRegistry, AccessRegistryCodec.Encode(access));
                writer.Write(BackupRecordKind.AuditHead, ArchiveRecords.Encode(auditHead));
                for (var shard = 0; shard < source.ShardCount; shard++)
                {
                    var replica = await ReadMajority<KeyShard>(replicator, new KeyShardKey(ShardMap.KeyId(shard)), source, cancellationToken);
                    foreach (var managed in replica?.Objects.Values ?? [])
                    {
                        writer.Write(BackupRecordKind.ManagedObject, ManagedObjectCodec.Encode(managed));
                    }
                }

                objects = writer.Complete();
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
            return new BackupRun(true, scheduled, at, path, objects, new FileInfo(path).Length, started.Elapsed, kek.KeyId, auditHead, null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            TryDelete(temp);
            return new BackupRun(false, scheduled, at, path, 0, 0, started.Elapsed, kek.KeyId, null, e.Message);
        }
    }

    /// <summary>
    /// A majority read, retried a few times: a backup that fell back to this node's replica could miss an
    /// acknowledged write, so if no majority answers the backup fails instead.
    /// </summary>
    private static async Task<T?> ReadMajority<T>(IActorRef replicator, IKey key, BackupSource source, CancellationToken cancellationToken)
        where T : class, IReplicatedData
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await replicator.Ask<IGetResponse>(new Get(key, new ReadMajority(source.ReadTimeout)),
                source.ReadTimeout + source.AskTimeout, cancellationToken);
            switch (response)
            {
                case GetSuccess success:
                    return (T)success.Data;
                case NotFound:
                    return null;
                case GetFailure when attempt < 3:
                    continue;
                default:
                    throw new InvalidOperationException(
                        $"could not read {key.Id} from a majority of nodes ({response.GetType().Name}); the backup would not hold every acknowledged write");
            }
        }
    }

    /// <summary>A new file only its owner may read (the archive is encrypted, but it is still the cluster's keys).</summary>
    private static FileStream CreatePrivate(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A leftover temporary file is harmless: it never has the archive's name.
        }
    }
}
