namespace OkvActors.LoadGen;

/// <summary>What the scale scenario does; the defaults are issue #3's targets for a 3-node cluster.</summary>
public sealed record ScaleOptions(
    string Dir,
    string? ClusterFile,
    int Nodes,
    int BasePort,
    int? ShardCount,
    int Objects,
    int Concurrency,
    double Rate,
    int PacedSeconds,
    int IdleSeconds,
    int VisibilitySamples,
    bool Wipe,
    bool ColdRestart,
    string? Out)
{
    /// <summary>Creations per node in one warm-up round.</summary>
    public const int WarmupPerNode = 1000;

    /// <summary>
    /// Creations per second and node while warming up: well under what the nodes can do, so the JIT's background
    /// compilations get a core. At full speed ten rounds left a node still compiling 2,000 methods (4-5 s) in the load.
    /// </summary>
    public const double WarmupRatePerNode = 400;

    /// <summary>
    /// The warm-up ends with the first round in which no node compiled more than this many methods. A fresh node
    /// re-compiles its hot paths (tier 0, instrumented, optimised) for tens of seconds under load: 23% of a node's
    /// CPU 15 s into a load that followed 500 creations per node, ~5,000 methods in its first minute of writes.
    /// (Methods, not compile time: on 2 shared cores a compilation's wall time includes waiting for a core.)
    /// </summary>
    public const int WarmupJitMethods = 50;

    /// <summary>
    /// Past this many rounds the warm-up gives up waiting for the JIT and says so in the report. Its objects stay in the
    /// cluster (at most 12,000 per node beside the load's, 30 s), so it is bounded well under the load itself.
    /// </summary>
    public const int WarmupMaxRounds = 12;

    public void Validate()
    {
        if (ClusterFile is null && Nodes is < 3 or > 16)
        {
            throw new LoadGenException($"--nodes must be between 3 and 16 (a majority must survive the wipe of one), not {Nodes}");
        }

        if (Objects < Nodes || Concurrency < 1 || Rate <= 0 || PacedSeconds < 1 || IdleSeconds < 1 || VisibilitySamples < 0)
        {
            throw new LoadGenException("--objects must be at least --nodes; --concurrency, --rate, --paced-seconds and --idle-seconds positive");
        }

        if (ClusterFile is null && BasePort is < 1024 or > 65000)
        {
            throw new LoadGenException($"--base-port must be between 1024 and 65000, not {BasePort}");
        }
    }
}
