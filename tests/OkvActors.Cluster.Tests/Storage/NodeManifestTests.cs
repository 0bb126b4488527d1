using System.Text.Json;
using OkvActors.Cluster.Storage;
using Xunit;

namespace OkvActors.Cluster.Tests.Storage;

public sealed class NodeManifestTests
{
    private static readonly NodeManifest Member = new(
        "node2", "sg02", "10.0.0.2", 4054, 5697, 9111, 8444, NodeStage.Member, "okv",
        ["akka.ssl.tcp://okv@10.0.0.1:4053", "akka.ssl.tcp://okv@10.0.0.2:4054"], Founder: true, ShardCount: 4096);

    [Fact]
    public void A_member_manifest_round_trips_through_json_with_every_field()
    {
        var back = NodeManifest.FromJson(Member.ToJson());

        Assert.Equal(Member with { Seeds = null }, back with { Seeds = null });
        Assert.Equal(Member.Seeds, back.Seeds);
        Assert.Equal(Member.ToJson(), back.ToJson());
    }

    [Fact]
    public void A_candidate_manifest_without_cluster_or_seeds_round_trips_with_the_defaults()
    {
        var candidate = new NodeManifest("node5", "sg01", "127.0.0.1", 4057, 5696, 9110, 8443, NodeStage.Candidate);

        var back = NodeManifest.FromJson(candidate.ToJson());

        Assert.Equal(candidate, back);
        Assert.Null(back.Cluster);
        Assert.Null(back.Seeds);
        Assert.False(back.Founder);
        Assert.Null(back.ShardCount);
    }

    [Fact]
    public void The_json_uses_camel_case_names_and_the_stage_as_a_word()
    {
        using var json = JsonDocument.Parse(Member.ToJson());

        Assert.Equal("member", json.RootElement.GetProperty("stage").GetString());
        Assert.Equal(9111, json.RootElement.GetProperty("managementPort").GetInt32());
        Assert.True(json.RootElement.GetProperty("founder").GetBoolean());
        Assert.Equal(4096, json.RootElement.GetProperty("shardCount").GetInt32());
    }

    [Fact]
    public void The_remoting_address_is_the_tls_address_of_the_cluster_system()
    {
        Assert.Equal("akka.ssl.tcp://okv@10.0.0.2:4054", Member.RemotingAddress("okv"));
    }

    [Fact]
    public void Empty_json_is_refused()
    {
        Assert.Throws<JsonException>(() => NodeManifest.FromJson("null"));
    }
}
