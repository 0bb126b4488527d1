using System.Security.Cryptography;
using System.Text;
using OkvActors.Node.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace OkvActors.Node.Tests.KeyStore;

/// <summary>
/// The replicated key store on a real three-process cluster: a key made on one node is read and used on
/// the others, writes go on while a node is dead and it catches up when it returns, a cold restart of
/// every node after kill -9 loses no acknowledged write, and key material never reaches a file in the clear.
/// </summary>
[Collection(KeyStoreClusterCollection.Name)]
public sealed class ReplicatedKeyStoreTests(KeyStoreCluster cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly string[] Nodes = ["node1", "node2", "node3"];

    private async Task<string> Create(string node, string name)
    {
        var created = await cluster.Control(node, "key-create", ("name", name));
        Assert.True(created.Ok, created.Message);
        return created.Data!["uid"]!.GetValue<string>();
    }

    private async Task<System.Text.Json.Nodes.JsonNode> Get(string node, string uid)
    {
        var found = await cluster.Control(node, "key-get", ("uid", uid));
        Assert.True(found.Ok, $"{node}: {found.Message}");
        return found.Data!;
    }

    [Fact]
    public async Task A_key_created_on_one_node_is_read_and_used_on_the_others()
    {
        var uid = await Create("node1", "orders-db");

        var onNode3 = await Get("node3", uid);
        Assert.Equal("PreActive", onNode3["state"]!.GetValue<string>());
        Assert.Equal("orders-db", onNode3["names"]![0]!.GetValue<string>());
        Assert.Equal("node1", onNode3["creator"]!.GetValue<string>());
        Assert.True((await cluster.Control("node2", "key-activate", ("uid", uid))).Ok);

        var secret = Encoding.UTF8.GetBytes("card 4111 1111 1111 1111");
        var encrypted = await cluster.Control("node3", "key-encrypt", ("uid", uid), ("data", Convert.ToBase64String(secret)));
        Assert.True(encrypted.Ok, encrypted.Message);
        var decrypted = await cluster.Control("node1", "key-decrypt", ("uid", uid),
            ("ciphertext", encrypted.Data!["ciphertext"]!.GetValue<string>()), ("iv", encrypted.Data["iv"]!.GetValue<string>()));
        Assert.True(decrypted.Ok, decrypted.Message);
        Assert.Equal(secret, Convert.FromBase64String(decrypted.Data!["data"]!.GetValue<string>()));

        var destroyActive = await cluster.Control("node2", "key-destroy", ("uid", uid));
        Assert.False(destroyActive.Ok);
        Assert.Contains("revoke it before destroying it", destroyActive.Message);
        Assert.True((await cluster.Control("node3", "key-revoke", ("uid", uid))).Ok);
        Assert.True((await cluster.Control("node1", "key-destroy", ("uid", uid))).Ok);
        var destroyed = await Get("node2", uid);
        Assert.Equal("Destroyed", destroyed["state"]!.GetValue<string>());
        Assert.False(destroyed["hasMaterial"]!.GetValue<bool>());
        var unknown = await cluster.Control("node2", "key-get", ("uid", "no-such-uid"));
        Assert.False(unknown.Ok);
        Assert.Contains("no object no-such-uid", unknown.Message);
    }

    [Fact]
    public async Task The_same_name_accepted_on_two_nodes_is_one_conflict_on_every_node_until_renamed()
    {
        var name = $"shared-{Guid.NewGuid():N}"[..20];
        var first = await Create("node1", name);
        var second = await Create("node2", name);

        foreach (var node in Nodes)
        {
            await Eventually.Until(async () =>
            {
                var conflicts = (await cluster.Control(node, "conflicts")).Data!["conflicts"]!.AsArray();
                var mine = conflicts.SingleOrDefault(c => c!["name"]!.GetValue<string>() == name);
                var uids = mine?["uids"]!.AsArray().Select(u => u!.GetValue<string>()).ToArray() ?? [];
                return (uids.Order().SequenceEqual(new[] { first, second }.Order()), true, string.Join(",", uids));
            }, Timeout, $"{node} to list the conflict on '{name}'");
            var located = await cluster.Control(node, "key-locate", ("name", name));
            Assert.Equal(2, located.Data!["uids"]!.AsArray().Count);
        }

        var renamed = await cluster.Control("node3", "key-rename", ("uid", second), ("name", name + "-b"));
        Assert.True(renamed.Ok, renamed.Message);
        foreach (var node in Nodes)
        {
            await Eventually.Until(async () =>
                (await cluster.Control(node, "conflicts")).Data!["conflicts"]!.AsArray().All(c => c!["name"]!.GetValue<string>() != name),
                Timeout, $"{node} to see the conflict resolved");
        }
    }

    [Fact]
    public async Task The_okv_key_verbs_drive_the_store_of_a_running_node()
    {
        var create = await Okv.Run(["key", "create", "--dir", cluster.Dir("node2").Root, "--name", "from-the-cli", "--json"]);
        Assert.True(create.ExitCode == 0, create.ToString());
        var uid = System.Text.Json.Nodes.JsonNode.Parse(create.Stdout)!["uid"]!.GetValue<string>();

        var get = await Okv.Run(["key", "get", "--dir", cluster.Dir("node1").Root, "-u", uid]);
        var missing = await Okv.Run(["key", "get", "--dir", cluster.Dir("node1").Root, "-u", "no-such-uid"]);
        var shards = await Okv.Run(["shards", "--dir", cluster.Dir("node3").Root, "--json"]);

        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Contains("PreActive", get.Stdout);
        Assert.Contains("from-the-cli", get.Stdout);
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("no object no-such-uid", missing.Stderr);
        Assert.True(shards.ExitCode == 0, shards.ToString());
        Assert.True(System.Text.Json.Nodes.JsonNode.Parse(shards.Stdout)!["shards"]!.AsArray().Count > 0);
    }

    /// <summary>
    /// node.conf hands the replicator's ticks to the vault's pacer: an access change puts this node's delta rounds on the
    /// active rate (400 ms), an object write on the writing rate (1 s: it carries no delta, but leaves a placeholder the
    /// rounds clear), and both fall back to the idle rate once the active window (5 s) has passed without one.
    /// </summary>
    [Fact]
    public async Task A_node_paces_its_replication_by_its_access_changes_and_object_writes_and_says_so_in_its_status()
    {
        static string DeltaRounds(System.Text.Json.Nodes.JsonNode status) => status["replication"]!["deltaRounds"]!.GetValue<string>();
        await Eventually.Until(async () => DeltaRounds(await cluster.Status("node2")) == "idle", Timeout, "node2's delta rounds to be at the idle rate");

        await Create("node2", "pacing");
        var afterObjectWrite = await cluster.Status("node2");
        Assert.True(afterObjectWrite["replication"]!["paced"]!.GetValue<bool>(), afterObjectWrite.ToJsonString());
        Assert.Equal("writing", DeltaRounds(afterObjectWrite));
        await Eventually.Until(async () => DeltaRounds(await cluster.Status("node2")) == "idle", Timeout, "node2's delta rounds to fall back to the idle rate after the write");

        var wallet = await cluster.Control("node2", "wallet-create", ("name", $"pacing-{Guid.NewGuid():N}"));
        Assert.True(wallet.Ok, wallet.Message);
        var afterAccessChange = await cluster.Status("node2");
        Assert.Equal("active", DeltaRounds(afterAccessChange));

        await Eventually.Until(async () => DeltaRounds(await cluster.Status("node2")) == "idle", Timeout, "node2's delta rounds to fall back to the idle rate");
        var sent = (await cluster.Status("node2"))["replication"]!["deltaRoundsSent"]!.GetValue<long>();
        Assert.True(sent > afterAccessChange["replication"]!["deltaRoundsSent"]!.GetValue<long>(), $"delta rounds sent: {sent}");
    }

    /// <summary>A node process runs its gen2 collections in the background: a blocking one held a 1M-object node for seconds.</summary>
    [Fact]
    public async Task A_node_process_keeps_its_garbage_collector_in_sustained_low_latency()
    {
        var status = await cluster.Status("node3");
        Assert.Equal("SustainedLowLatency", status["gcLatencyMode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Writes_go_on_while_a_node_is_dead_and_it_catches_up_with_equal_digests_when_it_returns()
    {
        Okv.Kill9(await cluster.CurrentPid("node3"));
        var uids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            uids.Add(await Create(i % 2 == 0 ? "node1" : "node2", $"while-node3-dead-{i}"));
        }

        // Restart once the dead incarnation is gone (restarting while it is still a member is a separate
        // drill for the chaos harness).
        var node3 = cluster.Remoting("node3");
        await Eventually.Until(async () => !LocalCluster.AllMembers(await cluster.Status("node1")).Contains(node3), Timeout,
            "the dead node3 to be removed");
        var newLog = RestartNode3();

        // It serves from its own store at once, compares its shards' digests with a majority's and reads the shards that
        // differ from a majority meanwhile: once it says so, its own replica holds what it missed, without waiting for
        // gossip to compare those shards.
        await Eventually.Until(() => newLog().Contains("caught up after the restart", StringComparison.Ordinal), Timeout,
            "node3 to say it caught up from a majority after its restart");
        var caughtUp = newLog().Split('\n').First(l => l.Contains("caught up after the restart", StringComparison.Ordinal));
        output.WriteLine(caughtUp);
        Assert.Matches(@"caught up after the restart: [1-9]\d* of \d+ shards differed from [1-9] peer\(s\)' digests", caughtUp);
        await AssertInOwnReplica("node3", uids, "after catching up");
        await AwaitAllUp("node3 to rejoin");
        await AwaitEqualDigests();
        foreach (var uid in uids)
        {
            Assert.Equal("PreActive", (await Get("node3", uid))["state"]!.GetValue<string>());
        }
    }

    /// <summary>Starts node3 again; the function returns what its log says from then on.</summary>
    private Func<string> RestartNode3()
    {
        var logBefore = new FileInfo(cluster.LogOf("node3")).Length;
        cluster.StartNode(cluster.Dir("node3").Root, cluster.LogOf("node3"));
        return () =>
        {
            using var stream = new FileStream(cluster.LogOf("node3"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.Seek(logBefore, SeekOrigin.Begin);
            return new StreamReader(stream).ReadToEnd();
        };
    }

    private async Task AssertInOwnReplica(string node, IEnumerable<string> uids, string when)
    {
        foreach (var uid in uids)
        {
            var local = await cluster.Control(node, "key-get", ("uid", uid), ("freshness", "local"));
            Assert.True(local.Ok, $"{node}'s own replica lacks {uid} {when}: {local.Message}");
        }
    }

    /// <summary>
    /// A replaced disk: node3 is killed, its store emptied and restarted. It reads every shard from a majority
    /// before it serves, so once it says so its own replica already holds every key (no wait for gossip).
    /// </summary>
    [Fact]
    public async Task A_member_restarted_with_an_empty_store_holds_every_key_in_its_own_replica_before_it_serves()
    {
        var uids = new List<string>();
        for (var i = 0; i < 24; i++)
        {
            uids.Add(await Create(Nodes[i % 3], $"before-the-disk-swap-{i}"));
        }

        var pid = await cluster.CurrentPid("node3");
        Okv.Kill9(pid);
        await Eventually.Until(() => !Okv.IsAlive(pid), Timeout, "node3 to be dead");
        var store = cluster.Dir("node3").StoreDir;
        Directory.Delete(store, recursive: true);
        Directory.CreateDirectory(store);
        var node3 = cluster.Remoting("node3");
        await Eventually.Until(async () => !LocalCluster.AllMembers(await cluster.Status("node1")).Contains(node3), Timeout,
            "the dead node3 to be removed");

        var newLog = RestartNode3();
        await Eventually.Until(() => newLog().Contains("empty store rebuilt", StringComparison.Ordinal), Timeout,
            "node3 to say it rebuilt its empty store from a majority");
        output.WriteLine(newLog().Split('\n').First(l => l.Contains("empty store rebuilt", StringComparison.Ordinal)));
        await AssertInOwnReplica("node3", uids, "right after the rebuild");

        await AwaitAllUp("node3 to be Up again");
        await AwaitEqualDigests();
    }

    [Fact]
    public async Task A_cold_restart_after_kill_9_of_every_node_loses_no_acknowledged_write()
    {
        var uids = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            uids.Add(await Create(Nodes[i % 3], $"before-the-blackout-{i}"));
        }

        var pids = new List<int>();
        foreach (var node in Nodes)
        {
            pids.Add(await cluster.CurrentPid(node));
        }

        foreach (var pid in pids)
        {
            Okv.Kill9(pid);
        }

        await Eventually.Until(() => pids.All(p => !Okv.IsAlive(p)), Timeout, "every node to be dead");
        foreach (var node in Nodes)
        {
            cluster.StartNode(cluster.Dir(node).Root, cluster.LogOf(node));
        }

        await AwaitAllUp("the cluster to form again");
        foreach (var uid in uids)
        {
            foreach (var node in Nodes)
            {
                Assert.Equal("PreActive", (await Get(node, uid))["state"]!.GetValue<string>());
            }
        }

        await AwaitEqualDigests();
    }

    [Fact]
    public async Task Registered_key_material_appears_in_no_file_of_any_node()
    {
        var material = RandomNumberGenerator.GetBytes(32);
        var registered = await cluster.Control("node2", "key-register", ("name", "known-material"), ("material", Convert.ToBase64String(material)));
        Assert.True(registered.Ok, registered.Message);
        await AwaitEqualDigests();

        var forms = new[] { material, Encoding.ASCII.GetBytes(Convert.ToBase64String(material)), Encoding.ASCII.GetBytes(Convert.ToHexString(material)),
            Encoding.ASCII.GetBytes(Convert.ToHexStringLower(material)) };
        var scanned = 0;
        foreach (var file in Directory.EnumerateFiles(cluster.Root, "*", SearchOption.AllDirectories))
        {
            byte[] content;
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer);
                content = buffer.ToArray();
            }
            catch (IOException)
            {
                continue; // a socket or a file removed while we looked
            }

            scanned++;
            foreach (var form in forms)
            {
                Assert.True(content.AsSpan().IndexOf(form) < 0, $"key material found in {file}");
            }
        }

        output.WriteLine($"scanned {scanned} files under {cluster.Root}");
        Assert.True(scanned > 20, $"only {scanned} files scanned");
    }

    private Task AwaitAllUp(string what) =>
        Eventually.Until(async () =>
        {
            var seen = new List<string>();
            var done = true;
            foreach (var node in Nodes)
            {
                var status = await cluster.Status(node);
                var up = LocalCluster.UpMembers(status);
                done &= status["selfStatus"]!.GetValue<string>() == "Up" && up.Count == Nodes.Length;
                seen.Add($"{node}: self {status["selfStatus"]}, up {string.Join(" ", up.Select(a => a[^5..]))}");
            }

            return (done, true, string.Join("; ", seen));
        }, Timeout, what);

    private async Task AwaitEqualDigests() =>
        await Eventually.Until(async () =>
        {
            var views = new List<string>();
            foreach (var node in Nodes)
            {
                var shards = await cluster.Control(node, "shards");
                views.Add(shards.Data!["shards"]!.ToJsonString());
            }

            return (views.Distinct().Count() == 1, true, $"{views.Distinct().Count()} different views");
        }, Timeout, "every node to hold identical shards");
}
