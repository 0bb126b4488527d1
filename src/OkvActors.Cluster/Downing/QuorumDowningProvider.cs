using Akka.Actor;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.Cluster.Downing;

/// <summary>
/// Enabled with <c>akka.cluster.downing-provider-class = "OkvActors.Cluster.Downing.QuorumDowningProvider, OkvActors.Cluster"</c>
/// (hocon/node.conf); timed by <c>okv.downing.stable-after</c>. See <see cref="QuorumDecision"/> for why
/// this replaces the stock keep-majority resolver.
/// </summary>
public sealed class QuorumDowningProvider(ActorSystem system, AkkaCluster cluster) : Akka.Cluster.IDowningProvider
{
    private readonly TimeSpan _stableAfter = OkvClusterSettings.Create(system).DowningStableAfter;

    /// <summary>How long the singleton and sharding wait after a down before acting elsewhere.</summary>
    public TimeSpan DownRemovalMargin => _stableAfter;

    public Props DowningActorProps => QuorumDowning.Props(_stableAfter);

    /// <summary>The cluster this provider serves (kept for the interface's constructor contract).</summary>
    public AkkaCluster Cluster { get; } = cluster;
}
