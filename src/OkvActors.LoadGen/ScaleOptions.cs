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
    /// <summary>A few creations per node before anything is measured, so JIT and first connections are not in the figures.</summary>
    public const int WarmupPerNode = 500;

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
