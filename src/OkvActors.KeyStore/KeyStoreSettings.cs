using Akka.Actor;
using Akka.Configuration;
using Akka.DistributedData;

namespace OkvActors.KeyStore;

/// <summary>The key-store module's settings (HOCON <c>okv.key-store</c>); defaults in its reference.conf.</summary>
public sealed class KeyStoreSettings
{
    private KeyStoreSettings(Config config)
    {
        var c = config.GetConfig("okv.key-store");
        ShardCount = c.GetInt("shard-count");
        WriteConsistencyName = c.GetString("write-consistency");
        WriteTimeout = c.GetTimeSpan("write-timeout");
        AskTimeout = c.GetTimeSpan("ask-timeout");
        ChangeToAllTimeout = c.GetTimeSpan("change-to-all-timeout");
        MajorityAttemptTimeout = c.GetTimeSpan("majority-attempt-timeout");
        FanOut = new FanOutSettings(c.GetInt("fan-out.max-batch-objects"), (int)Math.Min(int.MaxValue, c.GetByteSize("fan-out.max-batch-bytes") ?? 0),
            c.GetTimeSpan("fan-out.linger"), c.GetTimeSpan("fan-out.lag-timeout"));
        if (FanOut.MaxBatchObjects < 1 || FanOut.MaxBatchBytes < 1 || FanOut.Linger < TimeSpan.Zero || FanOut.LagTimeout < TimeSpan.FromMilliseconds(2))
        {
            throw new ConfigurationException("okv.key-store.fan-out: max-batch-objects and max-batch-bytes must be positive, linger not negative, lag-timeout at least 2ms");
        }

        Pacing = PacingSettings.Create(c.GetConfig("pacing"), ShardCount, config.GetConfig("akka.cluster.distributed-data"));
        if (ShardCount < 1)
        {
            throw new ConfigurationException("okv.key-store.shard-count must be at least 1");
        }

        if (WriteConsistencyName is not ("majority" or "all" or "local"))
        {
            throw new ConfigurationException($"okv.key-store.write-consistency must be majority, all or local, not '{WriteConsistencyName}'");
        }
    }

    public int ShardCount { get; }

    public string WriteConsistencyName { get; }

    public TimeSpan WriteTimeout { get; }

    public TimeSpan AskTimeout { get; }

    /// <summary>How long an access change waits for every reachable node before it is written with <see cref="WriteConsistency"/> instead.</summary>
    public TimeSpan ChangeToAllTimeout { get; }

    /// <summary>How long one attempt of a majority read or write lasts before it is sent to a majority again (until <see cref="WriteTimeout"/>).</summary>
    public TimeSpan MajorityAttemptTimeout { get; }

    /// <summary>How the vault batches the object writes it sends its peers (<see cref="Vault.WriteFanOut"/>).</summary>
    public FanOutSettings FanOut { get; }

    /// <summary>Whether, and how, the vault's pacer sends Distributed Data's ticks (<see cref="Replication.ReplicatorPacer"/>).</summary>
    public PacingSettings Pacing { get; }

    public IWriteConsistency WriteConsistency => WriteConsistencyName switch
    {
        "all" => new WriteAll(WriteTimeout),
        "local" => WriteLocal.Instance,
        _ => new WriteMajority(WriteTimeout),
    };

    public static Config DefaultConfig() => ConfigurationFactory.FromResource<KeyStoreSettings>("reference.conf");

    public static KeyStoreSettings Create(Config config) => new(config.WithFallback(DefaultConfig()));

    public static KeyStoreSettings Create(ActorSystem system) => Create(system.Settings.Config);
}

/// <summary>
/// HOCON <c>okv.key-store.fan-out</c>: the largest batch of object writes one vault sends another, how long a queued
/// write waits for others to join its batch (zero: only behind what is in the vault's mailbox), and how long a peer may
/// take to confirm a write before writes stop waiting for it (it lags).
/// </summary>
public sealed record FanOutSettings(int MaxBatchObjects, int MaxBatchBytes, TimeSpan Linger, TimeSpan LagTimeout);

/// <summary>HOCON <c>okv.key-store.pacing</c>: the ticks <see cref="Replication.ReplicatorPacer"/> sends the replicator.</summary>
public sealed record PacingSettings(
    bool Enabled, TimeSpan GossipInterval, TimeSpan IdleGossipInterval, TimeSpan CatchUpWindow, TimeSpan DeltaInterval, TimeSpan ActiveWindow,
    TimeSpan IdleDeltaInterval, TimeSpan WritingDeltaInterval)
{
    /// <summary>Distributed Data's own gossip interval must be at least this long while the pacer ticks, or both would.</summary>
    public static readonly TimeSpan ReplicatorOwnTicksAtLeast = TimeSpan.FromMinutes(10);

    /// <summary>Digest chunks a gossip round sends (fixed in Akka.NET's replicator).</summary>
    private const int ChunksPerRound = 10;

    /// <summary>Keys gossip compares besides the shards (access registry, controller registry, keyring, …), rounded up.</summary>
    private const int MetadataKeys = 16;

    /// <param name="pacing">HOCON <c>okv.key-store.pacing</c>.</param>
    /// <param name="shardCount">The key shards, which with a few metadata keys are what gossip compares.</param>
    /// <param name="distributedData">HOCON <c>akka.cluster.distributed-data</c> (its gossip-interval and max-delta-elements); may be empty.</param>
    public static PacingSettings Create(Config pacing, int shardCount, Config? distributedData)
    {
        var enabled = pacing.GetBoolean("enabled");
        var gossip = pacing.GetTimeSpan("gossip-interval");
        // A gossip round compares max-delta-elements keys in each of its chunks: a pass over every key takes this many rounds.
        var keysPerRound = Math.Max(1, distributedData?.GetInt("max-delta-elements", 500) ?? 500) * ChunksPerRound;
        var roundsPerPass = (int)Math.Ceiling((shardCount + MetadataKeys) / (double)keysPerRound);
        var settings = new PacingSettings(enabled, gossip, pacing.GetTimeSpan("idle-gossip-interval"),
            gossip * (roundsPerPass * pacing.GetInt("catch-up-passes")), pacing.GetTimeSpan("delta-interval"), pacing.GetTimeSpan("active-window"),
            pacing.GetTimeSpan("idle-delta-interval"), pacing.GetTimeSpan("writing-delta-interval"));
        if (!enabled)
        {
            return settings;
        }

        if (new[] { settings.GossipInterval, settings.IdleGossipInterval, settings.CatchUpWindow, settings.DeltaInterval, settings.ActiveWindow, settings.IdleDeltaInterval,
                settings.WritingDeltaInterval }
            .Any(t => t <= TimeSpan.Zero))
        {
            throw new ConfigurationException("okv.key-store.pacing: every interval, catch-up-passes and the active window must be positive");
        }

        if (settings.ActiveWindow < settings.DeltaInterval)
        {
            throw new ConfigurationException("okv.key-store.pacing.active-window must be at least delta-interval, or a change would get no delta round at the active rate");
        }

        var replicatorOwn = distributedData?.GetTimeSpan("gossip-interval", TimeSpan.Zero) ?? TimeSpan.Zero;
        if (replicatorOwn < ReplicatorOwnTicksAtLeast)
        {
            throw new ConfigurationException(
                $"okv.key-store.pacing is on, so akka.cluster.distributed-data.gossip-interval must be at least {ReplicatorOwnTicksAtLeast.TotalMinutes:0} minutes "
                + $"(it is {replicatorOwn}): the replicator would tick by itself as well. Set okv.key-store.pacing.gossip-interval instead.");
        }

        return settings;
    }
}
