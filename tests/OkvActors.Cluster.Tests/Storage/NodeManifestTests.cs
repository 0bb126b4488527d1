using System.Text.Json;
using OkvActors.Cluster.Storage;
using OkvActors.Crypto.Hsm;
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
    public void A_node_without_an_hsm_writes_no_hsm_field_and_reads_an_older_file_as_no_hsm()
    {
        using var json = JsonDocument.Parse(Member.ToJson());
        var older = """{"name":"node1","subgroup":"sg01","host":"127.0.0.1","port":4053,"kmipPort":5696,"managementPort":9110,"httpsPort":8443,"stage":"member","cluster":"okv","seeds":null,"founder":true}""";

        Assert.False(json.RootElement.TryGetProperty("hsm", out _));
        Assert.Null(NodeManifest.FromJson(older).Hsm);
    }

    [Fact]
    public void The_hsm_module_token_and_key_label_round_trip_under_one_hsm_field()
    {
        var withHsm = Member with { Hsm = new HsmOptions("/usr/lib/softhsm/libsofthsm2.so", "okv-token", "kek-1") };

        using var json = JsonDocument.Parse(withHsm.ToJson());
        var back = NodeManifest.FromJson(withHsm.ToJson());

        Assert.Equal("okv-token", json.RootElement.GetProperty("hsm").GetProperty("token").GetString());
        Assert.Equal(["module", "token", "keyLabel"], json.RootElement.GetProperty("hsm").EnumerateObject().Select(p => p.Name));
        Assert.Equal(withHsm.Hsm, back.Hsm);
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
