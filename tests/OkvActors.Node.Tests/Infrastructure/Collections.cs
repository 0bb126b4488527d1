using Xunit;

namespace OkvActors.Node.Tests.Infrastructure;

/// <summary>Three nodes at their size limit (max-nodes 3), shared by tests that leave it as they found it.</summary>
public sealed class FormedCluster() : LocalCluster(basePort: 25000, nodes: 3, maxNodes: 3);

[CollectionDefinition(Name)]
public sealed class FormedClusterCollection : ICollectionFixture<FormedCluster>
{
    public const string Name = "formed cluster";
}

/// <summary>A cluster the node-removal test may change.</summary>
public sealed class RemovalCluster() : LocalCluster(basePort: 26000);

[CollectionDefinition(Name)]
public sealed class RemovalClusterCollection : ICollectionFixture<RemovalCluster>
{
    public const string Name = "removal cluster";
}

/// <summary>A cluster whose controller's node the hand-over test kills.</summary>
public sealed class HandOverCluster() : LocalCluster(basePort: 27000);

[CollectionDefinition(Name)]
public sealed class HandOverClusterCollection : ICollectionFixture<HandOverCluster>
{
    public const string Name = "hand-over cluster";
}

/// <summary>A cluster the key-store tests write to, crash and cold-restart.</summary>
public sealed class KeyStoreCluster() : LocalCluster(basePort: 29000);

[CollectionDefinition(Name)]
public sealed class KeyStoreClusterCollection : ICollectionFixture<KeyStoreCluster>
{
    public const string Name = "key-store cluster";
}

/// <summary>A cluster the restricted-mode test reduces to one node.</summary>
public sealed class RestrictedCluster() : LocalCluster(basePort: 30000);

[CollectionDefinition(Name)]
public sealed class RestrictedClusterCollection : ICollectionFixture<RestrictedCluster>
{
    public const string Name = "restricted cluster";
}

/// <summary>A cluster okvctl inspects (read-only verbs and refusals); left as it was found.</summary>
public sealed class OkvctlCluster() : LocalCluster(basePort: 34000);

[CollectionDefinition(Name)]
public sealed class OkvctlClusterCollection : ICollectionFixture<OkvctlCluster>
{
    public const string Name = "okvctl cluster";
}

/// <summary>A cluster whose nodes the okvctl crash test kills while okvctl watches.</summary>
public sealed class OkvctlCrashCluster() : LocalCluster(basePort: 34010);

[CollectionDefinition(Name)]
public sealed class OkvctlCrashClusterCollection : ICollectionFixture<OkvctlCrashCluster>
{
    public const string Name = "okvctl crash cluster";
}

/// <summary>A cluster the KMIP interoperability tests drive with PyKMIP.</summary>
public sealed class KmipCluster() : LocalCluster(basePort: 35000);

[CollectionDefinition(Name)]
public sealed class KmipClusterCollection : ICollectionFixture<KmipCluster>
{
    public const string Name = "kmip cluster";
}

/// <summary>A cluster okvctl steers (tail, leave, down, join, log level, approve); each test brings its nodes back.</summary>
public sealed class OkvctlSteeringCluster() : LocalCluster(basePort: 34020);

[CollectionDefinition(Name)]
public sealed class OkvctlSteeringClusterCollection : ICollectionFixture<OkvctlSteeringCluster>
{
    public const string Name = "okvctl steering cluster";
}

/// <summary>A four-node cluster whose nodes okvctl disables, enables, removes and force-removes.</summary>
public sealed class OkvctlLifecycleCluster() : LocalCluster(basePort: 34030, nodes: 4);

[CollectionDefinition(Name)]
public sealed class OkvctlLifecycleClusterCollection : ICollectionFixture<OkvctlLifecycleCluster>
{
    public const string Name = "okvctl lifecycle cluster";
}

/// <summary>
/// A cluster the REST tests drive over HTTPS. Its rate limit is low enough for a test to exceed it with one
/// identity (100 requests at once, 1 more per second) and high enough for the other tests' identities.
/// The lifecycle and restricted-mode tests stop nodes and bring them back.
/// </summary>
public sealed class RestCluster() : ConfiguredCluster(basePort: 36000, "rest-test.conf", "okv.rest.rate-limit { burst = 100, per-second = 1 }");

[CollectionDefinition(Name)]
public sealed class RestClusterCollection : ICollectionFixture<RestCluster>
{
    public const string Name = "rest cluster";
}

/// <summary>A cluster whose recovery passphrase the secrets tests change (and whose nodes they stop and restart).</summary>
public sealed class PassphraseCluster() : LocalCluster(basePort: 46500);

[CollectionDefinition(Name)]
public sealed class PassphraseClusterCollection : ICollectionFixture<PassphraseCluster>
{
    public const string Name = "passphrase cluster";
}

/// <summary>A cluster whose KEK the rotation test rotates under load (small re-wrap batches, so a node dies mid-rotation).</summary>
public sealed class KekRotationCluster() : ConfiguredCluster(basePort: 46510, "rotation-test.conf", "okv.secrets.rewrap { batch-size = 20, interval = 500ms }");

[CollectionDefinition(Name)]
public sealed class KekRotationClusterCollection : ICollectionFixture<KekRotationCluster>
{
    public const string Name = "kek rotation cluster";
}

/// <summary>
/// A cluster the safe-conversion tests add candidates to (each removed again) while they freeze members: its
/// downing waits 60 s, so a member frozen for a test is unreachable for a while but never removed.
/// </summary>
public sealed class ConversionCluster() : ConfiguredCluster(basePort: 47000, "conversion-test.conf", "okv.downing.stable-after = 60s");

[CollectionDefinition(Name)]
public sealed class ConversionClusterCollection : ICollectionFixture<ConversionCluster>
{
    public const string Name = "conversion cluster";
}

/// <summary>A cluster whose nodes (and the nodes a test adds, through <see cref="ConfigFile"/>) run with extra HOCON.</summary>
public abstract class ConfiguredCluster(int basePort, string fileName, string hocon) : LocalCluster(basePort)
{
    /// <summary>The nodes' extra configuration (OKV_CONFIG_FILE), for nodes a test adds as well.</summary>
    public string ConfigFile
    {
        get
        {
            var path = Path.Combine(Root, fileName);
            if (!System.IO.File.Exists(path))
            {
                Directory.CreateDirectory(Root);
                System.IO.File.WriteAllText(path, hocon + "\n");
            }

            return path;
        }
    }

    protected override IDictionary<string, string>? Environment => new Dictionary<string, string> { ["OKV_CONFIG_FILE"] = ConfigFile };
}
