using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using OkvActors.Backup;
using OkvActors.Cluster.Audit;
using OkvActors.Cluster.Hosting;
using OkvActors.KeyStore;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Vault;

namespace OkvActors.Cluster.Backup;

/// <summary>
/// The first run of a node made by `okv restore`: before it serves anything, it imports the archive left in
/// restore/ into its key store. Objects and the access registry are merged into the replicas as the CRDTs they
/// are (a join: importing twice, or over objects written since, changes nothing), shard after shard, each
/// majority-written and so on disk before the next. The count of imported objects is recorded after each
/// shard, so a crash resumes where it stopped. Once everything is in, restore/ is removed and the import audited.
/// The archive opens with the KEK the node already holds: no passphrase on this path.
/// </summary>
public static class RestoreImport
{
    private sealed record Progress(long Imported);

    private const int MaxBatch = 1000;

    public static bool Pending(NodeHost node) => File.Exists(node.Directory.RestoreArchiveFile);

    /// <summary>
    /// Imports a pending archive; returns the number of objects in it, or null when nothing was pending. An archive
    /// that no longer reads (changed on disk since the restore) stops the node with the reader's reason.
    /// </summary>
    public static async Task<long?> RunIfPendingAsync(NodeHost node, CancellationToken cancellationToken = default)
    {
        if (!Pending(node))
        {
            return null;
        }

        try
        {
            return await Import(node, cancellationToken);
        }
        catch (BackupArchiveException e)
        {
            throw new InvalidOperationException($"restore: the archive to import no longer reads: {e.Message}; restore again from the original archive", e);
        }
    }

    private static async Task<long> Import(NodeHost node, CancellationToken cancellationToken)
    {
        var log = Logging.GetLogger(node.System, typeof(RestoreImport));
        var directory = node.Directory;
        await WaitUntilUp(node, cancellationToken);
        var done = File.Exists(directory.RestoreProgressFile)
            ? JsonSerializer.Deserialize<Progress>(await File.ReadAllTextAsync(directory.RestoreProgressFile, cancellationToken))?.Imported ?? 0
            : 0;
        log.Info("Restore: importing {0} ({1} objects already imported)", directory.RestoreArchiveFile, done);
        var keyStore = KeyStoreSettings.Create(node.System);
        var consistency = new WriteMajority(keyStore.WriteTimeout);
        var replicator = DistributedData.Get(node.System).Replicator;

        await using var file = File.OpenRead(directory.RestoreArchiveFile);
        using var reader = BackupArchiveReader.Open(file, SoftwareVersion.Current, directory.RestoreArchiveFile);
        reader.Unlock(node.Credentials.Kek);
        long seen = 0;
        var batch = new List<ManagedObject>();
        var batchShard = -1;
        foreach (var record in reader.Records())
        {
            switch (record.Kind)
            {
                case BackupRecordKind.AccessRegistry:
                    var access = ArchiveRecords.Access(record);
                    await Write(replicator, KeyVaultActor.AccessKey, AccessRegistry.Empty, consistency, existing => ((AccessRegistry)existing).Merge(access),
                        keyStore, cancellationToken);
                    break;
                case BackupRecordKind.ManagedObject:
                    seen++;
                    if (seen <= done)
                    {
                        continue;
                    }

                    var managed = ArchiveRecords.Object(record);
                    var shard = ShardMap.ShardOf(managed.Uid, keyStore.ShardCount);
                    if ((shard != batchShard && batch.Count > 0) || batch.Count >= MaxBatch)
                    {
                        await Flush(replicator, batchShard, batch, seen - 1, consistency, keyStore, directory, cancellationToken);
                    }

                    batchShard = shard;
                    batch.Add(managed);
                    break;
            }
        }

        await Flush(replicator, batchShard, batch, seen, consistency, keyStore, directory, cancellationToken);
        var header = reader.Header;
        node.AuditLog.Tell(new RecordAudit("operator:local", "Restore", null, AuditEntry.Success,
            $"{header.ObjectCount} objects from the backup of node {header.Node} made {header.CreatedAt:u}"));
        Directory.Delete(directory.RestoreDir, recursive: true);
        log.Info("Restore: imported {0} objects from the backup of node {1} made {2:u}", header.ObjectCount, header.Node, header.CreatedAt);
        return header.ObjectCount;
    }

    private static async Task Flush(IActorRef replicator, int shard, List<ManagedObject> batch, long imported, IWriteConsistency consistency,
        KeyStoreSettings keyStore, Storage.NodeDirectory directory, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var objects = batch.ToArray();
        await Write(replicator, new KeyShardKey(ShardMap.KeyId(shard)), KeyShard.Empty, consistency, existing => ((KeyShard)existing).WithObjects(objects),
            keyStore, cancellationToken);
        batch.Clear();
        var temp = directory.RestoreProgressFile + ".tmp";
        await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(new Progress(imported)), cancellationToken);
        File.Move(temp, directory.RestoreProgressFile, overwrite: true);
    }

    private static async Task Write(IActorRef replicator, IKey key, IReplicatedData initial, IWriteConsistency consistency,
        Func<IReplicatedData, IReplicatedData> modify, KeyStoreSettings keyStore, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await replicator.Ask<IUpdateResponse>(new Update(key, initial, consistency, modify),
                keyStore.WriteTimeout + keyStore.AskTimeout, cancellationToken);
            if (response is UpdateSuccess)
            {
                return;
            }

            if (attempt >= 5)
            {
                throw new InvalidOperationException($"restore: could not write {key.Id} ({response.GetType().Name}); run the node again to resume the import");
            }
        }
    }

    private static async Task WaitUntilUp(NodeHost node, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (node.Cluster.SelfMember.Status != MemberStatus.Up)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("restore: the node did not come Up within 2 minutes; nothing was imported yet");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }
}
