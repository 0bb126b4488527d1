using Akka.Actor;
using Akka.DistributedData;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Vault;

namespace OkvActors.Cluster.Inspection;

/// <summary>
/// Runs on every node at /user/okv-inspector and answers what only that node knows about itself: its
/// shard digests, its mode, and whether its replica has seen a lag probe. okvctl's cross-node views
/// (`shards show --all`, `replication lag`) ask every member's inspector from the node okvctl talks to.
/// </summary>
public sealed class InspectorActor : ReceiveActor
{
    public const string Name = "okv-inspector";

    /// <summary>
    /// The register a lag probe is written to (locally; gossip carries it). Not durable: a probe is
    /// worthless after the measurement that wrote it.
    /// </summary>
    public static readonly LWWRegisterKey<string> LagProbeKey = new("okv-lag-probe");

    public InspectorActor(string node, IKeyVault vault, TimeSpan timeout)
    {
        var replicator = DistributedData.Get(Context.System).Replicator;
        var self = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();

        ReceiveAsync<InspectShards>(async _ =>
        {
            var digests = await ShardInspector.DigestsAsync(Context.System, timeout);
            Sender.Tell(new ShardsInspected(node, digests));
        });
        ReceiveAsync<InspectNode>(async _ =>
        {
            var mode = await vault.ModeAsync();
            Sender.Tell(new NodeInspected(node, self, mode.Restricted, mode.Reason, Environment.ProcessId));
        });
        ReceiveAsync<SeesLagProbe>(async probe =>
        {
            var response = await replicator.Ask<IGetResponse>(new Get(LagProbeKey, ReadLocal.Instance), timeout);
            var seen = response is GetSuccess success && success.Get(LagProbeKey).Value == probe.ProbeId;
            Sender.Tell(new LagProbeSeen(node, seen));
        });
    }

    public static Props Props(string node, IKeyVault vault, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new InspectorActor(node, vault, timeout));
}
