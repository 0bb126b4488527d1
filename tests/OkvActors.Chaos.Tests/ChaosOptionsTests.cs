using Xunit;

namespace OkvActors.Chaos.Tests;

public sealed class ChaosOptionsTests
{
    [Fact]
    public void Defaults_are_three_nodes_a_minute_and_two_clients_per_node()
    {
        var options = ChaosOptions.Parse(["--seed", "5"]);

        Assert.Equal(5, options.Seed);
        Assert.Equal(3, options.Nodes);
        Assert.Equal(60, options.Duration);
        Assert.Equal(6, options.Clients);
        Assert.Equal(0.5, options.Affinity);
        Assert.Equal(Workload.ChaosWorkload.DefaultMix, options.Mix);
        Assert.Equal(37000, options.BasePort);
        Assert.True(options.UseNetworkLab);
        Assert.Equal(0, options.Lab);
        Assert.False(options.Broken);
        Assert.Contains("seed-5-", options.Dir);
    }

    [Fact]
    public void The_lab_follows_the_base_port_so_parallel_runs_do_not_share_one()
    {
        Assert.Equal(2, ChaosOptions.Parse(["--base-port", "37400"]).Lab);
        Assert.Equal(7, ChaosOptions.Parse(["--base-port", "37400", "--lab", "7"]).Lab);
    }

    [Theory]
    [InlineData(new[] { "--nodes", "2" }, "--nodes must be an integer from 3 to 16, not '2'")]
    [InlineData(new[] { "--nodes", "seventeen" }, "--nodes must be an integer from 3 to 16, not 'seventeen'")]
    [InlineData(new[] { "--duration", "-1" }, "--duration must be a number from 10")]
    [InlineData(new[] { "--seed" }, "--seed needs a value")]
    [InlineData(new[] { "--lab", "100" }, "--lab must be an integer from 0 to 99")]
    [InlineData(new[] { "--chaos-monkey" }, "unknown option '--chaos-monkey'")]
    [InlineData(new[] { "--mix", "create=1,teleport=2" }, "'teleport=2' is not OPERATION=WEIGHT")]
    [InlineData(new[] { "--mix", "create=0" }, "the mix needs at least one positive weight")]
    [InlineData(new[] { "--affinity", "1.5" }, "--affinity must be a number from 0 to 1")]
    public void Bad_arguments_are_refused_with_a_clear_message(string[] args, string message)
    {
        var e = Assert.Throws<FormatException>(() => ChaosOptions.Parse(args));
        Assert.Contains(message, e.Message);
    }
}
