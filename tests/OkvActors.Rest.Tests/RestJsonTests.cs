using OkvActors.Cluster.Hosting;
using OkvActors.KeyStore.Model;
using Xunit;

namespace OkvActors.Rest.Tests;

public sealed class RestJsonTests
{
    [Theory]
    [InlineData("pre-active", LifecycleState.PreActive)]
    [InlineData("PreActive", LifecycleState.PreActive)]
    [InlineData("destroyed_compromised", LifecycleState.DestroyedCompromised)]
    public void Enum_names_are_read_in_any_case_with_or_without_separators(string text, LifecycleState expected)
    {
        Assert.Equal(expected, RestJson.Enum<LifecycleState>(text, "state"));
    }

    [Theory]
    [InlineData("sleeping")]
    [InlineData("2")]
    [InlineData("")]
    public void An_unknown_enum_name_or_a_number_is_refused_listing_the_names(string text)
    {
        var e = Assert.Throws<RestInputException>(() => RestJson.Enum<LifecycleState>(text, "state"));

        Assert.Contains("pre-active", e.Message);
    }

    [Fact]
    public void Bad_base64_is_refused_naming_the_field()
    {
        Assert.Contains("'material'", Assert.Throws<RestInputException>(() => RestJson.Base64("not base64!", "material")).Message);
        Assert.Contains("'material'", Assert.Throws<RestInputException>(() => RestJson.Base64(null, "material")).Message);
        Assert.Equal([1, 2, 3], RestJson.Base64("AQID", "material"));
    }

    [Fact]
    public void The_failover_list_puts_the_own_subgroup_first_then_orders_by_subgroup_and_address()
    {
        FailoverNode Node(string subgroup, int port) => new($"akka.ssl.tcp://okv@127.0.0.1:{port}", subgroup, $"127.0.0.1:{port + 100}", $"127.0.0.1:{port + 300}");
        var nodes = new[] { Node("sg01", 4055), Node("sg03", 4053), Node("sg02", 4057), Node("sg01", 4054), Node("sg02", 4056) };

        var ordered = FailoverList.Order(nodes, "sg02");

        Assert.Equal(["sg02", "sg02", "sg01", "sg01", "sg03"], ordered.Select(n => n.Subgroup));
        Assert.Equal([4156, 4157, 4154, 4155, 4153], ordered.Select(n => int.Parse(n.Kmip!.Split(':')[1])));
    }
}
