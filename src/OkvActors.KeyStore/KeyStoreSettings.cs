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

    /// <summary>How long a change waits for every reachable node before it is written with <see cref="WriteConsistency"/> instead.</summary>
    public TimeSpan ChangeToAllTimeout { get; }

    /// <summary>How long one attempt of a majority read or write lasts before it is sent to a majority again (until <see cref="WriteTimeout"/>).</summary>
    public TimeSpan MajorityAttemptTimeout { get; }

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
