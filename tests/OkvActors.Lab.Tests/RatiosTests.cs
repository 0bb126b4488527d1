using OkvActors.Lab.Report;
using Xunit;

namespace OkvActors.Lab.Tests;

public class RatiosTests
{
    internal static MacroRow Row(string system, string op, int clients, double ops, double p99 = 10, string? failure = null) =>
        new(system, op, clients, 10, (long)(ops * 10), 0, ops, p99 / 2, p99 * 0.9, p99, p99 * 2, 1.0, failure);

    [Fact]
    public void Each_operation_is_compared_with_pykmip_at_the_same_concurrency_and_create_also_with_etcd_put()
    {
        var rows = new[]
        {
            Row(Systems.Okv, "Get", 8, 900, 3), Row(Systems.PyKmip, "Get", 8, 30, 40), Row(Systems.PyKmip, "Get", 32, 10),
            Row(Systems.Okv, "Create", 8, 300), Row(Systems.PyKmip, "Create", 8, 10), Row(Systems.Etcd, "Put", 8, 200), Row(Systems.Etcd, "Put", 32, 1),
        };

        var c = Ratios.Compare(rows);

        Assert.Equal(3, c.Count);
        var get = Assert.Single(c, x => x.Operation == "Get");
        Assert.Equal((Systems.PyKmip, 8, 30.0, 3.0, 40.0), (get.Peer, get.Clients, get.Ratio!.Value, get.OursP99Ms, get.PeerP99Ms!.Value));
        Assert.Equal(30.0, Assert.Single(c, x => x.Operation == "Create" && x.Peer == Systems.PyKmip).Ratio);
        var etcd = Assert.Single(c, x => x.Peer == Systems.Etcd);
        Assert.Equal(("Put", 1.5), (etcd.PeerOperation, etcd.Ratio!.Value));
    }

    [Fact]
    public void A_failed_or_idle_peer_run_gives_no_ratio_and_a_failed_run_of_ours_no_comparison()
    {
        var rows = new[]
        {
            Row(Systems.Okv, "Get", 1, 100), Row(Systems.PyKmip, "Get", 1, 0, failure: "IOException: reset"),
            Row(Systems.Okv, "Encrypt", 1, 100), Row(Systems.PyKmip, "Encrypt", 1, 0),
            Row(Systems.Okv, "Locate", 1, 0, failure: "IOException"), Row(Systems.PyKmip, "Locate", 1, 5),
        };

        var c = Ratios.Compare(rows);

        Assert.Equal(2, c.Count);
        Assert.All(c, x => Assert.Null(x.Ratio));
        Assert.All(c, x => Assert.Null(x.PeerOpsPerSecond));
    }

    [Fact]
    public void Without_a_peer_run_there_is_no_comparison() =>
        Assert.Empty(Ratios.Compare([Row(Systems.Okv, "Get", 1, 100), Row(Systems.PyKmip, "Get", 8, 10)]));
}
