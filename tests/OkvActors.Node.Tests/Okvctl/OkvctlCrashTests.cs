using System.Text.Json.Nodes;
using OkvActors.Node.Tests.Infrastructure;
using Xunit;

namespace OkvActors.Node.Tests.Okvctl;

/// <summary>
/// What okvctl reports while nodes die: kill -9 of one node shows it unreachable, then (once our
/// downing has decided) removed; kill -9 of a second leaves the survivor in restricted mode, and
/// `mode` says so. `cluster tail` sees the first crash as it happens.
/// </summary>
[Collection(OkvctlCrashClusterCollection.Name)]
public sealed class OkvctlCrashTests(OkvctlCrashCluster cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private Task<JsonNode> Json(string node, params string[] command) => Infrastructure.Okvctl.Json(cluster, node, command);

    private static JsonNode? MemberAt(JsonNode show, string address) =>
        show["members"]!.AsArray().FirstOrDefault(m => m!["address"]!.GetValue<string>() == address);

    [Fact]
    public async Task A_killed_node_shows_unreachable_then_removed_and_losing_two_of_three_reports_restricted_mode()
    {
        var node3 = cluster.Remoting("node3");
        Assert.Equal(3, (await Json("node1", "cluster", "show"))["count"]!.GetValue<int>());

        Okv.Kill9(cluster.Pid("node3"));

        await Eventually.Until(async () =>
        {
            var show = await Json("node1", "cluster", "show");
            var member = MemberAt(show, node3);
            return (member?["reachability"]?.GetValue<string>() == "Unreachable", true, show.ToJsonString());
        }, Timeout, "node3 to show unreachable");
        await Eventually.Until(async () =>
        {
            var show = await Json("node1", "cluster", "show");
            return (MemberAt(show, node3) is null && show["count"]!.GetValue<int>() == 2, true, show.ToJsonString());
        }, Timeout, "node3 to be removed");
        Assert.Equal("normal", (await Json("node1", "mode"))["mode"]!.GetValue<string>());

        Okv.Kill9(cluster.Pid("node2"));

        var mode = await Eventually.Until(async () =>
        {
            var m = await Json("node1", "mode");
            return (m["mode"]!.GetValue<string>() == "restricted", m, m.ToJsonString());
        }, Timeout, "node1 to report restricted mode");
        var table = await Infrastructure.Okvctl.On(cluster, "node1", "mode");

        Assert.Contains("reaches 1 of", mode["reason"]!.GetValue<string>());
        Assert.StartsWith("restricted: ", table.Stdout);
    }
}
