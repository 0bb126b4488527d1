using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using OkvActors.Cluster.Audit;
using OkvActors.Cluster.Storage;
using OkvActors.Kmip.Payloads;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;
using OkvActors.Node.Tests.Infrastructure;
using OkvActors.Node.Tests.Kmip;
using Xunit;
using Xunit.Abstractions;

namespace OkvActors.Node.Tests.Backup;

/// <summary>
/// `okv backup` on a 3-node cluster under a KMIP write load, `okv restore` of the archive as a new cluster in a new
/// directory, and its first run: every object acknowledged before the backup started is there, with the same
/// material (KMIP Get as an endpoint whose certificate the OLD cluster issued: the CA carried over) and the same
/// state; the audit log continues the archived chain; the old cluster's node certificates are revoked.
/// </summary>
[Collection(BackupClusterCollection.Name)]
public sealed class BackupRestoreTests(BackupCluster cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_backup_under_writes_restores_as_a_new_cluster_with_every_acknowledged_object_its_material_state_and_audit_chain()
    {
        var endpoint = cluster.File.Pki.Endpoints[0];
        await using var onNode2 = await KmipRawClient.Connect(cluster.File.Nodes[1].Kmip, endpoint.Cert, endpoint.Key, cluster.File.Pki.Ca);
        await using var onNode3 = await KmipRawClient.Connect(cluster.File.Nodes[2].Kmip, endpoint.Cert, endpoint.Key, cluster.File.Pki.Ca);

        // Objects in several states: some activated, one destroyed (a tombstone is a replicated record too).
        var early = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            early.Add(await Create(onNode3));
        }

        foreach (var uid in early.Take(4))
        {
            await onNode3.Succeed(ProtocolVersion.V1_2, Operation.Activate, TtlvItem.TextString(Tag.UniqueIdentifier, uid));
        }

        await onNode3.Succeed(ProtocolVersion.V1_2, Operation.Destroy, TtlvItem.TextString(Tag.UniqueIdentifier, early[5]));

        // A writer on node2 keeps creating keys while node1 writes the archive.
        var acknowledged = new ConcurrentQueue<(string Uid, long At)>();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && acknowledged.Count < 600)
            {
                var uid = await Create(onNode2);
                acknowledged.Enqueue((uid, Stopwatch.GetTimestamp()));
            }
        });
        await Eventually.Until(() => acknowledged.Count >= 100, Timeout, "the writer to create 100 keys");
        var backupStarted = Stopwatch.GetTimestamp();
        var (archive, backup) = await cluster.Backup("node1");
        var countAtEnd = acknowledged.Count;
        await Eventually.Until(() => acknowledged.Count >= countAtEnd + 20 || writer.IsCompleted, Timeout, "writes to go on after the backup");
        await stop.CancelAsync();
        await writer;

        var before = early.Concat(acknowledged.Where(a => a.At < backupStarted).Select(a => a.Uid)).ToList();
        var head = backup.Data!["auditHead"]!;
        output.WriteLine($"{backup.Message}; {before.Count} objects acknowledged before it started, {acknowledged.Count} written in all");
        Assert.True(backup.Data!["objects"]!.GetValue<long>() >= before.Count);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(archive));
        var status = await cluster.Control("node1", "backup-status");
        Assert.Equal("ok", status.Data!["last"]!["result"]!.GetValue<string>());
        Assert.Equal(archive, status.Data!["last"]!["path"]!.GetValue<string>());

        var restored = cluster.NewDirectory("restored");
        var restore = await cluster.Restore(archive, restored, "restored1", 46010);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Contains("node 'restored1'", restore.Stdout);
        var node = await StandaloneNode.Start(restored, expectedUp: 1);
        try
        {
            // Identical state and metadata, read through the control socket of each.
            foreach (var uid in before)
            {
                var original = await cluster.Control("node1", "key-get", ("uid", uid));
                var copy = await StandaloneNode.Control(restored, "key-get", ("uid", uid));
                Assert.True(original.Ok, original.Message);
                Assert.Equal(original.Data!.ToJsonString(), copy.Data!.ToJsonString());
            }

            // Identical material, through KMIP with the old cluster's endpoint certificate.
            await using var onRestored = await KmipRawClient.Connect($"127.0.0.1:{46110}", endpoint.Cert, endpoint.Key, cluster.File.Pki.Ca);
            foreach (var uid in before.Where(u => u != early[5]))
            {
                Assert.Equal(await Material(onNode2, uid), await Material(onRestored, uid));
            }

            // The audit log continues the archived chain: its first entry links to the archived head.
            var exported = Path.Combine(cluster.Scratch("audit"), "restored.jsonl");
            await StandaloneNode.Control(restored, "audit-export", ("out", exported));
            var first = JsonNode.Parse(File.ReadLines(exported).First())!;
            Assert.Equal(head["sequence"]!.GetValue<long>() + 1, first["sequence"]!.GetValue<long>());
            Assert.Equal(head["hash"]!.GetValue<string>(), first["previousHash"]!.GetValue<string>());
            Assert.Equal("Restore", first["operation"]!.GetValue<string>());
            var verified = await StandaloneNode.Control(restored, "audit-verify");
            Assert.True(verified.Data!["valid"]!.GetValue<bool>());
            Assert.True(File.Exists(restored.AuditAnchorFile));
            Assert.False(Directory.Exists(restored.RestoreDir), "the import removes restore/ once done");

            // Every node certificate of the old cluster is revoked in the new one.
            var oldNodes = (await cluster.Registry("node1"))["nodes"]!.AsArray().Select(n => n!["fingerprint"]!.GetValue<string>()).ToArray();
            var revoked = (await StandaloneNode.Control(restored, "registry")).Data!["revocations"]!.AsArray()
                .Select(r => r!["fingerprint"]!.GetValue<string>()).ToHashSet();
            Assert.All(oldNodes, f => Assert.Contains(f, revoked));
        }
        finally
        {
            await StandaloneNode.Stop(node);
        }
    }

    private static async Task<string> Create(KmipRawClient kmip)
    {
        var created = await kmip.Succeed(ProtocolVersion.V1_2, Operation.Create,
            TtlvItem.Enumeration(Tag.ObjectType, ObjectType.SymmetricKey),
            TtlvItem.Structure(Tag.TemplateAttribute, AttributeCodec.ToItem(ProtocolVersion.V1_2,
                new KmipAttribute(AttributeNames.CryptographicAlgorithm, TtlvItem.Enumeration(Tag.AttributeValue, CryptographicAlgorithm.Aes)))));
        return created.RequiredText(Tag.UniqueIdentifier);
    }

    private static async Task<string> Material(KmipRawClient kmip, string uid)
    {
        var got = await kmip.Succeed(ProtocolVersion.V1_2, Operation.Get, TtlvItem.TextString(Tag.UniqueIdentifier, uid));
        return Convert.ToHexString(Find(got, Tag.KeyMaterial)?.AsBytes() ?? throw new Xunit.Sdk.XunitException($"no key material for {uid}"));
    }

    private static TtlvItem? Find(TtlvItem item, Tag tag)
    {
        if (item.Tag == tag)
        {
            return item;
        }

        return item.Children.Select(c => Find(c, tag)).FirstOrDefault(found => found is not null);
    }
}
