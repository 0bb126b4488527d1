using OkvActors.Cluster.Hosting;
using Xunit;

namespace OkvActors.Cluster.Tests.Hosting;

public sealed class FailoverListTests
{
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
