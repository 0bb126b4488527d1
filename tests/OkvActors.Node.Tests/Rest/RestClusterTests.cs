using System.Net;
using System.Text.Json.Nodes;
using OkvActors.Cluster.Audit;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;
using OkvActors.Node.Tests.Infrastructure;
using OkvActors.Node.Tests.Kmip;
using Xunit;

namespace OkvActors.Node.Tests.Rest;

/// <summary>
/// Cluster administration over HTTPS as an operator: status, failover list, replication lag, conflicts,
/// audit, node lifecycle, and restricted mode as a problem. Tests that stop nodes bring them back.
/// </summary>
[Collection(RestClusterCollection.Name)]
public sealed class RestClusterTests(RestCluster cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private async Task AllUp(string from = "node1") =>
        await Eventually.Until(async () =>
        {
            var status = await cluster.Status(from);
            var up = LocalCluster.UpMembers(status).Count;
            return (up == 3 && status["mode"]!.GetValue<string>() == "normal", true, $"{up} Up, mode {status["mode"]}");
        }, Timeout, "three Up members in normal mode");

    [Fact]
    public async Task Status_and_failover_list_name_every_member_with_its_https_and_kmip_addresses()
    {
        await AllUp();
        using var admin = RestClient.Operator(cluster, "node2");
        using var endpoint = RestClient.Endpoint(cluster, "node2");

        var status = await admin.Ok(HttpMethod.Get, "v1/cluster");
        Assert.Equal(3, status["members"]!.AsArray().Count);
        Assert.Equal("normal", status["mode"]!.GetValue<string>());
        Assert.Equal(3, status["subgroups"]!["sg01"]!.AsArray().Count);
        Assert.NotNull(status["controller"]!.GetValue<string>());
        Assert.NotNull(status["leader"]!.GetValue<string>());
        Assert.All(status["members"]!.AsArray(), m => Assert.True(m!["reachable"]!.GetValue<bool>()));

        var failover = (await endpoint.Ok(HttpMethod.Get, "v1/failover")).AsArray();
        Assert.Equal(cluster.File.Nodes.Select(n => n.Https).Order(), failover.Select(n => n!["https"]!.GetValue<string>()).Order());
        Assert.Equal(cluster.File.Nodes.Select(n => n.Kmip).Order(), failover.Select(n => n!["kmip"]!.GetValue<string>()).Order());
        Assert.All(failover, n => Assert.Equal("sg01", n!["subgroup"]!.GetValue<string>()));

        // KMIP's Query (server information) hands out the same list in the same order: one rule serves both.
        var identity = cluster.File.Pki.Endpoints[0];
        await using (var kmip = await KmipRawClient.Connect(cluster.File.Nodes.Single(n => n.Name == "node2").Kmip, identity.Cert, identity.Key, cluster.File.Pki.Ca))
        {
            var query = await kmip.Send(KmipRawClient.Request((Operation.Query,
                KmipRawClient.Payload(TtlvItem.Enumeration(Tag.QueryFunction, QueryFunction.QueryServerInformation)))));
            var servers = Assert.Single(query.BatchItems).Payload!.Required(Tag.ServerInformation).Children.Select(c => c.AsText());
            Assert.Equal(failover.Select(n => $"node kmip={n!["kmip"]} subgroup={n["subgroup"]}"), servers);
        }

        var lag = await admin.Ok(HttpMethod.Get, "v1/cluster/replication-lag");
        Assert.Equal(3, lag["links"]!.AsArray().Count);
        RestClient.AssertProblem(await endpoint.Get("v1/cluster"), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task An_operator_sees_a_name_conflict_and_resolves_it()
    {
        using var admin = RestClient.Operator(cluster, "node1");
        var name = $"dup-{Guid.NewGuid():N}";
        var first = (await admin.Ok(HttpMethod.Post, "v1/objects/symmetric-keys", new { names = new[] { name } }, HttpStatusCode.Created))["uid"]!.GetValue<string>();
        await admin.Ok(HttpMethod.Post, "v1/objects/symmetric-keys", new { names = new[] { name } }, HttpStatusCode.Created);

        var conflicts = (await admin.Ok(HttpMethod.Get, "v1/cluster/conflicts"))["conflicts"]!.AsArray();
        Assert.Equal(2, conflicts.Single(c => c!["name"]!.GetValue<string>() == name)!["uids"]!.AsArray().Count);

        await admin.Ok(HttpMethod.Post, "v1/cluster/conflicts/resolve", new { uid = first, name = $"{name}-renamed" });
        Assert.DoesNotContain((await admin.Ok(HttpMethod.Get, "v1/cluster/conflicts"))["conflicts"]!.AsArray(), c => c!["name"]!.GetValue<string>() == name);
        RestClient.AssertProblem(await admin.Post("v1/cluster/conflicts/resolve", new { uid = first }), HttpStatusCode.BadRequest, "invalid-request");
    }

    [Fact]
    public async Task The_audit_log_is_queried_by_who_and_exported_as_verifiable_json_lines()
    {
        using var endpoint = RestClient.Endpoint(cluster, "node3", "endpoint2");
        using var admin = RestClient.Operator(cluster, "node3");
        var uid = (await endpoint.Ok(HttpMethod.Post, "v1/objects/symmetric-keys", new { }, HttpStatusCode.Created))["uid"]!.GetValue<string>();

        var query = await admin.Ok(HttpMethod.Get, $"v1/audit?who=endpoint:endpoint2&object={uid}&limit=10");
        var entry = Assert.Single(query["entries"]!.AsArray())!;
        Assert.Equal("Create", entry["operation"]!.GetValue<string>());
        Assert.Equal("success", entry["result"]!.GetValue<string>());
        Assert.Equal("node3", entry["node"]!.GetValue<string>());

        using var export = await admin.Http.GetAsync("v1/audit/export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("application/jsonl", export.Content.Headers.ContentType?.MediaType);
        var entries = AuditJsonLines.Read(new StringReader(await export.Content.ReadAsStringAsync())).ToArray();
        Assert.Contains(entries, e => e.ObjectUid == uid && e.Who == "endpoint:endpoint2");
        Assert.IsType<AuditChainValid>(AuditChain.Verify(entries));
        RestClient.AssertProblem(await endpoint.Get("v1/audit"), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Nodes_are_listed_disabled_and_enabled_and_refused_transitions_say_why()
    {
        await AllUp();
        using var admin = RestClient.Operator(cluster, "node1");
        var nodes = (await admin.Ok(HttpMethod.Get, "v1/nodes"))["nodes"]!.AsArray().Where(n => cluster.File.Nodes.Any(f => f.Name == n!["name"]!.GetValue<string>()));
        Assert.Equal(["Active", "Active", "Active"], nodes.Select(n => n!["state"]!.GetValue<string>()));

        RestClient.AssertProblem(await admin.Post("v1/nodes/node2/enable"), HttpStatusCode.Conflict, "invalid-transition");
        RestClient.AssertProblem(await admin.Post("v1/nodes/node9/disable"), HttpStatusCode.NotFound, "not-found");
        RestClient.AssertProblem(await admin.Post("v1/nodes/node2/explode"), HttpStatusCode.NotFound, "not-found");

        var node3 = await cluster.CurrentPid("node3");
        await admin.Ok(HttpMethod.Post, "v1/nodes/node3/disable");
        Assert.Equal("Disabled", (await admin.Ok(HttpMethod.Get, "v1/nodes"))["nodes"]!.AsArray().Single(n => n!["name"]!.GetValue<string>() == "node3")!["state"]!.GetValue<string>());
        await Eventually.Until(async () => LocalCluster.AllMembers(await cluster.Status("node1")).Count == 2, Timeout, "the disabled node3 to leave the membership");

        await admin.Ok(HttpMethod.Post, "v1/nodes/node3/enable");
        Assert.Equal("Active", (await admin.Ok(HttpMethod.Get, "v1/nodes"))["nodes"]!.AsArray().Single(n => n!["name"]!.GetValue<string>() == "node3")!["state"]!.GetValue<string>());
        await Restart("node3", node3);
        await AllUp();
    }

    [Fact]
    public async Task A_node_of_another_subgroup_heads_its_own_failover_list_leaves_when_removed_and_a_dead_one_is_force_removed()
    {
        await AllUp();
        using var admin = RestClient.Operator(cluster, "node1");
        var subgroup = await Okv.Run(["subgroup", "add", "--dir", cluster.Dir("node1").Root, "--name", "sg02"]);
        Assert.True(subgroup.ExitCode == 0, subgroup.ToString());
        var node4 = await AddNode("node4", 36010, "sg02");
        var node5 = await AddNode("node5", 36011, "sg01");
        await Eventually.Until(async () => LocalCluster.UpMembers(await cluster.Status("node1")).Count == 5, Timeout, "five Up members");

        // Each node hands out every node, its own subgroup first.
        using (var onNode4 = RestClient.Endpoint(cluster, "127.0.0.1:36310"))
        using (var onNode1 = RestClient.Endpoint(cluster, "node1"))
        {
            await Eventually.Until(async () => (await onNode4.Ok(HttpMethod.Get, "v1/failover")).AsArray().Count == 5, Timeout, "node4 to list five nodes");
            var fromNode4 = (await onNode4.Ok(HttpMethod.Get, "v1/failover")).AsArray().Select(n => n!["subgroup"]!.GetValue<string>()).ToArray();
            var fromNode1 = (await onNode1.Ok(HttpMethod.Get, "v1/failover")).AsArray().Select(n => n!["subgroup"]!.GetValue<string>()).ToArray();
            Assert.Equal(["sg02", "sg01", "sg01", "sg01", "sg01"], fromNode4);
            Assert.Equal(["sg01", "sg01", "sg01", "sg01", "sg02"], fromNode1);
        }

        await admin.Ok(HttpMethod.Post, "v1/nodes/node4/remove");
        await Eventually.Until(() => node4.HasExited, Timeout, "node4's process to stop after leaving");
        node5.Kill(entireProcessTree: true);
        await Eventually.Until(async () => !LocalCluster.UpMembers(await cluster.Status("node1")).Any(m => m.EndsWith(":36011", StringComparison.Ordinal)),
            Timeout, "the killed node5 to be taken out of the membership");
        await admin.Ok(HttpMethod.Post, "v1/nodes/node5/force-remove");

        var states = (await admin.Ok(HttpMethod.Get, "v1/nodes"))["nodes"]!.AsArray()
            .ToDictionary(n => n!["name"]!.GetValue<string>(), n => n!["state"]!.GetValue<string>());
        Assert.Equal(("Removed", "ForceRemoved"), (states["node4"], states["node5"]));
        RestClient.AssertProblem(await admin.Post("v1/nodes/node4/enable"), HttpStatusCode.Conflict, "invalid-transition");
        await AllUp();
    }

    private async Task<System.Diagnostics.Process> AddNode(string name, int port, string subgroup)
    {
        var (dir, fingerprint) = await NodeFactory.Candidate(cluster, name, port, subgroup);
        var bundle = Path.Combine(cluster.Scratch($"{name}-bundle"), "bundle.json");
        var admit = await NodeFactory.Admit(cluster, dir, fingerprint, bundle);
        Assert.True(admit.ExitCode == 0, admit.ToString());
        var join = await NodeFactory.Join(dir, bundle, new Dictionary<string, string> { ["OKV_CONFIG_FILE"] = cluster.ConfigFile });
        Assert.True(join.ExitCode == 0, join.ToString());
        return cluster.StartNode(dir, Path.Combine(dir, "node.log"), new Dictionary<string, string> { ["OKV_CONFIG_FILE"] = cluster.ConfigFile });
    }

    [Fact]
    public async Task A_node_that_lost_its_quorum_answers_writes_with_restricted_mode_and_still_serves_reads()
    {
        await AllUp();
        using var endpoint = RestClient.Endpoint(cluster, "node1");
        var uid = (await endpoint.Ok(HttpMethod.Post, "v1/objects/symmetric-keys", new { }, HttpStatusCode.Created))["uid"]!.GetValue<string>();

        var (node2, node3) = (await cluster.CurrentPid("node2"), await cluster.CurrentPid("node3"));
        Okv.Kill9(node2);
        Okv.Kill9(node3);
        await Eventually.Until(async () => (await cluster.Status("node1"))["mode"]!.GetValue<string>() == "restricted", TimeSpan.FromSeconds(30),
            "node1 to enter restricted mode");

        RestClient.AssertProblem(await endpoint.Post("v1/objects/symmetric-keys", new { }), HttpStatusCode.ServiceUnavailable, "restricted-mode");
        RestClient.AssertProblem(await endpoint.Post($"v1/objects/{uid}/activate"), HttpStatusCode.ServiceUnavailable, "restricted-mode");
        Assert.Equal(uid, (await endpoint.Ok(HttpMethod.Get, $"v1/objects/{uid}"))["uid"]!.GetValue<string>());

        await Restart("node2", node2);
        await Restart("node3", node3);
        await AllUp();
        await endpoint.Ok(HttpMethod.Post, $"v1/objects/{uid}/activate");
    }

    /// <summary>Starts a node's process again once its old one (killed, or ended because it was downed) is gone.</summary>
    private async Task Restart(string node, int oldPid)
    {
        await Eventually.Until(() => !Okv.IsAlive(oldPid), Timeout, $"{node}'s old process {oldPid} to be gone");
        cluster.StartNode(cluster.Dir(node).Root, cluster.LogOf(node));
    }

    [Fact]
    public async Task The_node_serves_its_openapi_document_naming_every_resource()
    {
        using var endpoint = RestClient.Endpoint(cluster, "node1");
        var document = await endpoint.Ok(HttpMethod.Get, "openapi/v1.json");
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToHashSet();
        foreach (var path in new[]
                 {
                     "/v1/objects/symmetric-keys", "/v1/objects/key-pairs", "/v1/objects/registered", "/v1/objects", "/v1/objects/{uid}",
                     "/v1/objects/{uid}/material", "/v1/objects/{uid}/re-key", "/v1/objects/{uid}/encrypt", "/v1/wallets", "/v1/grants",
                     "/v1/endpoints", "/v1/nodes", "/v1/nodes/{name}/{action}", "/v1/cluster", "/v1/audit/export", "/v1/failover",
                 })
        {
            Assert.Contains(path, paths);
        }

        Assert.Contains("urn:okv:problem:restricted-mode", document["info"]!["description"]!.GetValue<string>());
    }
}
