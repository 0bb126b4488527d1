using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Text.Json.Nodes;
using OkvActors.Node.Tests.Infrastructure;
using OkvActors.Pki.Certificates;
using Xunit;

namespace OkvActors.Node.Tests.Okvctl;

/// <summary>
/// okvctl against a real three-node cluster over its management listeners (mutual TLS, the operator
/// certificate `okv up` issued): every read verb answers what the cluster is, and only an operator
/// certificate of this cluster's CA gets in.
/// </summary>
[Collection(OkvctlClusterCollection.Name)]
public sealed class OkvctlInspectionTests(OkvctlCluster cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private Task<JsonNode> Json(string node, params string[] command) => Infrastructure.Okvctl.Json(cluster, node, command);

    private static string[] Strings(JsonNode? array) => array!.AsArray().Select(n => n!.GetValue<string>()).ToArray();

    [Fact]
    public async Task Without_a_command_okvctl_is_a_repl_with_a_prompt_that_runs_lines_reports_errors_and_exits()
    {
        var target = cluster.Management("node1");
        var session = await Infrastructure.Okvctl.Run([target, "--cluster", Path.Combine(cluster.Root, "cluster.json")],
            stdin: "cluster show\nno-such palette\nmode\nexit\ncluster leader\n");

        Assert.Equal(0, session.ExitCode);
        Assert.Contains($"[{target}] okv> ", session.Stdout);
        Assert.Contains("Count: 3 nodes", session.Stdout);
        Assert.Contains("okv> normal", session.Stdout);
        Assert.Contains("okvctl: ", session.Stderr);
        // Four prompts: the line after `exit` is never read.
        Assert.Equal(4, session.Stdout.Split($"[{target}] okv> ").Length - 1);
    }

    [Fact]
    public async Task Cluster_verbs_show_three_up_members_the_leader_and_this_nodes_status()
    {
        // A healthy idle cluster; on a loaded machine a member may be marked unreachable for a moment.
        var show = await Eventually.Until(async () =>
        {
            var shown = await Json("node2", "cluster", "show");
            var settled = shown["members"]!.AsArray().All(m => m!["status"]!.GetValue<string>() == "Up" && m["reachability"]!.GetValue<string>() == "Reachable");
            return (settled && shown["count"]!.GetValue<int>() == 3, shown, shown.ToJsonString());
        }, Timeout, "node2 to show three Up, reachable members");
        var table = await Infrastructure.Okvctl.On(cluster, "node2", "cluster", "show");
        var leader = await Json("node3", "cluster", "leader");
        var status = await Json("node1", "cluster", "status");

        var members = show["members"]!.AsArray();
        Assert.Equal(3, show["count"]!.GetValue<int>());
        Assert.All(members, m => Assert.Equal("Up", m!["status"]!.GetValue<string>()));
        Assert.All(members, m => Assert.Equal("Reachable", m!["reachability"]!.GetValue<string>()));
        Assert.Equal(cluster.File.Nodes.Select(n => n.Remoting).Order(), members.Select(m => m!["address"]!.GetValue<string>()).Order());
        Assert.Contains("subgroup-sg01", Strings(members[0]!["roles"]));
        Assert.Equal(0, table.ExitCode);
        Assert.Matches(@"ADDRESS\s+\| ROLES\s+\| STATUS \| REACHABILITY", table.Stdout);
        Assert.Contains("Count: 3 nodes", table.Stdout);
        Assert.Contains(leader["leader"]!.GetValue<string>(), cluster.File.Nodes.Select(n => n.Remoting));
        Assert.Equal(cluster.Remoting("node1"), status["self"]!.GetValue<string>());
        Assert.Equal("Up", status["status"]!.GetValue<string>());
        Assert.Equal(3, status["up"]!.GetValue<int>());
    }

    [Fact]
    public async Task Actor_log_node_and_mode_verbs_describe_the_node_asked()
    {
        var system = await Json("node2", "actor", "system");
        var hierarchy = await Json("node2", "actor", "hierarchy", "-d", "1");
        var log = await Json("node1", "log", "peek", "-c", "20");
        var nodes = await Json("node1", "node", "list");
        var mode = await Eventually.Until(async () =>
        {
            var answer = await Json("node3", "mode");
            return (answer["mode"]!.GetValue<string>() == "normal", answer, answer.ToJsonString());
        }, Timeout, "node3 to report normal mode");
        var help = await Json("node1", "help");

        Assert.Equal(cluster.File.Cluster, system["name"]!.GetValue<string>());
        Assert.Equal(cluster.Remoting("node2"), system["address"]!.GetValue<string>());
        var paths = hierarchy["actors"]!.AsArray().Select(a => a!["path"]!.GetValue<string>()).ToArray();
        Assert.Equal("/user", paths[0]);
        Assert.Contains("/user/okv-vault", paths);
        Assert.Contains("/user/okv-inspector", paths);
        Assert.DoesNotContain(paths, p => p.Count(c => c == '/') > 2);
        Assert.InRange(log["lines"]!.AsArray().Count, 1, 20);
        Assert.Contains(log["lines"]!.AsArray(), l => l!["message"]!.GetValue<string>().Contains("Management session of operator"));
        Assert.Equal(["node1", "node2", "node3"], nodes["nodes"]!.AsArray().Select(n => n!["name"]!.GetValue<string>()));
        Assert.All(nodes["nodes"]!.AsArray(), n => Assert.Equal("Active", n!["state"]!.GetValue<string>()));
        Assert.All(nodes["nodes"]!.AsArray(), n => Assert.Equal(64, n!["fingerprint"]!.GetValue<string>().Length));
        Assert.Equal("normal", mode["mode"]!.GetValue<string>());
        Assert.Contains("reaches 3 of 3", mode["reason"]!.GetValue<string>());
        Assert.Contains(help["commands"]!.AsArray(), c => c!["command"]!.GetValue<string>() == "cluster-down-unreachable");
    }

    [Fact]
    public async Task Keys_shards_conflicts_and_replication_verbs_see_the_replicated_store_converge()
    {
        // The same name written on two nodes: two objects, one conflict, identical shards everywhere.
        var name = $"okvctl-{Guid.NewGuid():N}"[..20];
        var first = await cluster.Control("node1", "key-create", ("name", name));
        var second = await cluster.Control("node2", "key-create", ("name", name));
        Assert.True(first.Ok && second.Ok, first.Message + second.Message);
        var uid = first.Data!["uid"]!.GetValue<string>();

        var compared = await Eventually.Until(async () =>
        {
            var all = await Json("node3", "shards", "show", "--all");
            return (all["differences"]!.GetValue<int>() == 0 && all["shards"]!.AsArray().Count >= 1 && all["unanswered"]!.AsArray().Count == 0,
                all, all.ToJsonString());
        }, Timeout, "every node to hold identical shards");
        var stats = await Json("node3", "keys", "stats");
        var shown = await Json("node3", "keys", "show", "-u", uid);
        var conflicts = await Json("node1", "conflicts", "list");
        var lag = await Json("node1", "replication", "lag");
        var local = await Json("node2", "shards", "show");

        Assert.Equal(["node1", "node2", "node3"], Strings(compared["nodes"]));
        Assert.Empty(compared["unanswered"]!.AsArray());
        Assert.True(stats["objects"]!.GetValue<int>() >= 2);
        Assert.True(stats["byType"]!["SymmetricKey"]!.GetValue<int>() >= 2);
        Assert.Equal(uid, shown["uid"]!.GetValue<string>());
        Assert.Equal(name, shown["names"]![0]!.GetValue<string>());
        Assert.Null(shown["material"]);
        Assert.Contains(conflicts["conflicts"]!.AsArray(), c => c!["name"]!.GetValue<string>() == name);
        Assert.Equal(3, lag["links"]!.AsArray().Count);
        Assert.All(lag["links"]!.AsArray(), l => Assert.NotNull(l!["replicationMs"]));
        Assert.All(lag["links"]!.AsArray(), l => Assert.True(l!["reachable"]!.GetValue<bool>()));
        Assert.Equal(compared["shards"]!.AsArray().Count, local["shards"]!.AsArray().Count);

        var resolved = await Json("node1", "conflicts", "resolve", "-u", uid, "-n", name + "-a");
        Assert.Equal(name + "-a", resolved["names"]![0]!.GetValue<string>());
        await Eventually.Until(async () => (await Json("node2", "conflicts", "list"))["conflicts"]!.AsArray()
            .All(c => c!["name"]!.GetValue<string>() != name), Timeout, "the conflict to be resolved on node2");
    }

    [Fact]
    public async Task Bad_input_gets_one_line_and_a_non_zero_exit()
    {
        var unknownVerb = await Infrastructure.Okvctl.On(cluster, "node1", "cluster", "frob");
        var missingSwitch = await Infrastructure.Okvctl.On(cluster, "node1", "cluster", "down");
        var badAddress = await Infrastructure.Okvctl.On(cluster, "node1", "cluster", "down", "-a", "not-an-address");
        var noObject = await Infrastructure.Okvctl.On(cluster, "node1", "keys", "show", "-u", "no-such-uid");
        var nobodyThere = await Infrastructure.Okvctl.Run(["127.0.0.1:34299", "--cluster", Path.Combine(cluster.Root, "cluster.json"), "mode"]);

        foreach (var result in new[] { unknownVerb, missingSwitch, badAddress, noObject, nobodyThere })
        {
            Assert.NotEqual(0, result.ExitCode);
            Assert.StartsWith("okvctl: ", result.Stderr);
            Assert.Single(result.Stderr.Trim().Split('\n'));
        }

        Assert.Equal(2, missingSwitch.ExitCode);
        Assert.Contains("--address", missingSwitch.Stderr);
        Assert.Contains("not a member address", badAddress.Stderr);
        Assert.Contains("no object no-such-uid", noObject.Stderr);
        Assert.Contains("cannot reach 127.0.0.1:34299", nobodyThere.Stderr);
    }

    [Fact]
    public async Task Only_an_operator_certificate_of_this_cluster_gets_in()
    {
        var pki = Path.Combine(cluster.Root, "pki");
        var endpoint = cluster.File.Pki.Endpoints[0];
        var asEndpoint = await Infrastructure.Okvctl.Run([cluster.Management("node1"), "--ca", cluster.File.Pki.Ca,
            "--cert", endpoint.Cert, "--key", endpoint.Key, "mode"]);

        using var foreignCa = ClusterCa.Create("someone-else");
        var (foreignCert, foreignKey) = foreignCa.IssueWithNewKey("operator", CertificateRole.Operator, TimeSpan.FromDays(1));
        var foreignCertPath = Path.Combine(cluster.Scratch("foreign"), "operator.pem");
        var foreignKeyPath = Path.ChangeExtension(foreignCertPath, ".key");
        Pem.WriteFile(foreignCertPath, Pem.Certificate(foreignCert));
        Pem.WritePrivateFile(foreignKeyPath, Pem.PrivateKey(foreignKey));
        var asForeign = await Infrastructure.Okvctl.Run([cluster.Management("node1"), "--ca", cluster.File.Pki.Ca,
            "--cert", foreignCertPath, "--key", foreignKeyPath, "mode"]);

        Assert.NotEqual(0, asEndpoint.ExitCode);
        Assert.Contains("refused this certificate", asEndpoint.Stderr);
        Assert.NotEqual(0, asForeign.ExitCode);
        Assert.Contains("okvctl: ", asForeign.Stderr);
        Assert.True(await RefusedWithoutCertificate(cluster.Management("node1")), "a client without a certificate must be refused");
        Assert.True(Directory.Exists(pki));
    }

    /// <summary>A raw TLS client that presents no certificate: the node must end the connection unanswered.</summary>
    private static async Task<bool> RefusedWithoutCertificate(string target)
    {
        var colon = target.LastIndexOf(':');
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(target[..colon], int.Parse(target[(colon + 1)..]));
        try
        {
            await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "okv" });
            await tls.WriteAsync(Encoding.UTF8.GetBytes("{\"command\":\"mode\"}\n"));
            using var reader = new StreamReader(tls);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            return await reader.ReadLineAsync(timeout.Token) is null;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return true;
        }
    }
}
