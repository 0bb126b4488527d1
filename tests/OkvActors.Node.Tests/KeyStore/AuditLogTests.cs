using System.Text.Json.Nodes;
using OkvActors.Node.Tests.Infrastructure;
using Xunit;

namespace OkvActors.Node.Tests.KeyStore;

/// <summary>Every operation a node serves lands in its own hash-chained audit log, exportable as JSON lines.</summary>
[Collection(KeyStoreClusterCollection.Name)]
public sealed class AuditLogTests(KeyStoreCluster cluster)
{
    [Fact]
    public async Task Operations_are_audited_on_the_node_that_served_them_and_the_exported_chain_verifies()
    {
        var created = await cluster.Control("node2", "key-create", ("name", "audited"));
        Assert.True(created.Ok, created.Message);
        var uid = created.Data!["uid"]!.GetValue<string>();
        Assert.False((await cluster.Control("node2", "key-get", ("uid", uid), ("as", "endpoint2"))).Ok);
        Assert.False((await cluster.Control("node2", "key-destroy", ("uid", "no-such-uid"))).Ok);

        var file = Path.Combine(cluster.Scratch("audit"), "node2-audit.jsonl");
        var export = await Okv.Run(["audit", "export", "--dir", cluster.Dir("node2").Root, "--out", file]);
        var verify = await Okv.Run(["audit", "verify", "--dir", cluster.Dir("node2").Root, "--json"]);

        Assert.True(export.ExitCode == 0, export.Stderr);
        Assert.True(verify.ExitCode == 0, verify.Stderr);
        Assert.True(JsonNode.Parse(verify.Stdout)!["valid"]!.GetValue<bool>());
        var entries = (await File.ReadAllLinesAsync(file)).Select(l => JsonNode.Parse(l)!).ToArray();
        Assert.Contains(entries, e => Matches(e, "operator:local", "Create", uid, "success"));
        Assert.Contains(entries, e => Matches(e, "endpoint:endpoint2", "Get", uid, "not-found"));
        Assert.Contains(entries, e => Matches(e, "operator:local", "Destroy", "no-such-uid", "not-found"));
        Assert.All(entries, e => Assert.Equal("node2", e["node"]!.GetValue<string>()));
        // A chain: each entry names the hash of the one before it, sequence numbers without gaps.
        for (var i = 1; i < entries.Length; i++)
        {
            Assert.Equal(entries[i - 1]["hash"]!.GetValue<string>(), entries[i]["previousHash"]!.GetValue<string>());
            Assert.Equal(entries[i - 1]["sequence"]!.GetValue<long>() + 1, entries[i]["sequence"]!.GetValue<long>());
        }

        // Served by node2, so not in node1's log.
        var node1File = Path.Combine(cluster.Scratch("audit"), "node1-audit.jsonl");
        Assert.Equal(0, (await Okv.Run(["audit", "export", "--dir", cluster.Dir("node1").Root, "--out", node1File])).ExitCode);
        Assert.DoesNotContain(uid, await File.ReadAllTextAsync(node1File));
    }

    private static bool Matches(JsonNode e, string who, string operation, string uid, string result) =>
        e["who"]!.GetValue<string>() == who && e["operation"]!.GetValue<string>() == operation &&
        e["objectUid"]?.GetValue<string>() == uid && e["result"]!.GetValue<string>() == result;
}
