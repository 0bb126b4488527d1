using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.DistributedData;
using Akka.Event;
using Akka.Pattern;
using Akka.Persistence.Sql.Config;
using OkvActors.Cluster.Audit;
using OkvActors.Cluster.Backup;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Downing;
using OkvActors.Cluster.Durability;
using OkvActors.Cluster.Inspection;
using OkvActors.Cluster.Secrets;
using OkvActors.Cluster.Storage;
using OkvActors.Cluster.Trust;
using OkvActors.Crypto.Kek;
using OkvActors.KeyStore;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Audit;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Vault;
using OkvActors.Pki.Trust;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.Cluster.Hosting;

/// <summary>
/// One running node: one ActorSystem, member of one cluster, named after the cluster. Starts remoting
/// with mutual TLS against the cluster CA, Distributed Data (every node must, or it can't read the
/// others' replicator messages), the controller singleton and its proxy, and the trust watchers.
/// </summary>
public sealed class NodeHost : IAsyncDisposable
{
    public const string ControllerManagerName = "okv-controller";
    public const string ControllerProxyName = "okv-controller-proxy";
    public const string SingletonName = "controller";
    public const string VaultName = "okv-vault";
    public const string AuditName = "okv-audit";

    private NodeHost(ActorSystem system, NodeManifest manifest, NodeDirectory directory, NodeCredentials credentials,
        RevocationList revocations, IActorRef controllerProxy, OkvClusterSettings settings, IKeyVault vault, KekRing kek)
    {
        Vault = vault;
        _kek = kek;
        Keys = new KeyManager(vault, kek, new HybridLogicalClock(manifest.Name));
        System = system;
        Manifest = manifest;
        Directory = directory;
        Credentials = credentials;
        Revocations = revocations;
        ControllerProxy = controllerProxy;
        Settings = settings;
    }

    public ActorSystem System { get; }

    public NodeManifest Manifest { get; }

    public NodeDirectory Directory { get; }

    public NodeCredentials Credentials { get; }

    public RevocationList Revocations { get; }

    public IActorRef ControllerProxy { get; }

    public OkvClusterSettings Settings { get; }

    private readonly KekRing _kek;

    /// <summary>This node's in-process client of the replicated key store.</summary>
    public IKeyVault Vault { get; }

    /// <summary>Key management (generation, wrapping, server-side crypto) over <see cref="Vault"/>.</summary>
    public KeyManager Keys { get; }

    /// <summary>This node's audit trail: every operation through a <see cref="SessionFor"/> session is recorded.</summary>
    public IAuditTrail Audit { get; private init; } = NoAuditTrail.Instance;

    /// <summary>This node's hash-chained audit log (behind a back-off supervisor): read, verify, export.</summary>
    public IActorRef AuditLog { get; private init; } = ActorRefs.Nobody;

    /// <summary>The key store as <paramref name="principal"/> may use it: authorised and audited.</summary>
    public VaultSession SessionFor(Principal principal) => new(principal, Keys, Audit);

    public AkkaCluster Cluster => AkkaCluster.Get(System);

    public Task WhenTerminated => System.WhenTerminated;

    /// <summary>Runs a node in an ActorSystem of its own (the `okv run` case).</summary>
    public static NodeHost Start(NodeDirectory directory, Config operatorConfig, IReadOnlyList<string>? seedsOverride = null)
    {
        var boot = Prepare(directory, operatorConfig, seedsOverride);
        var setup = ActorSystemSetup.Create([BootstrapSetup.Create().WithConfig(boot.Config), .. boot.Setups]);
        return Attach(ActorSystem.Create(boot.Manifest.Cluster!, setup), boot);
    }

    /// <summary>
    /// Everything a node needs before its ActorSystem exists: identity, effective configuration, credentials
    /// and the mutual-TLS setup. An embedding host (Akka.Hosting) adds these to its own builder.
    /// </summary>
    public static NodeBoot Prepare(NodeDirectory directory, Config operatorConfig, IReadOnlyList<string>? seedsOverride = null)
    {
        var manifest = directory.ReadManifest();
        if (seedsOverride is { Count: > 0 })
        {
            manifest = manifest with { Seeds = seedsOverride };
        }

        if (manifest.Stage is not (NodeStage.Member or NodeStage.Joining) || manifest.Cluster is null)
        {
            throw new InvalidOperationException(
                $"node '{manifest.Name}' is still a candidate: it needs `okv join` with a bundle from the controller before it can run");
        }

        var config = NodeConfig.For(manifest, directory, operatorConfig);
        var settings = OkvClusterSettings.Create(config);
        var time = settings.ClockOffset == TimeSpan.Zero ? TimeProvider.System : new OffsetTimeProvider(settings.ClockOffset);
        DataOptionsSetup? persistence = null;
        // Read before the store is opened (which creates the file): a member without one rebuilds it from a majority.
        var replicaStoreExisted = settings.StoreProvider != "sqlite" || File.Exists(directory.ReplicaDatabaseFile);
        if (settings.StoreProvider == "sqlite")
        {
            SqliteStoreFile.UseWriteAheadLog(directory.DatabaseFile);
            SqliteStoreFile.UseWriteAheadLog(directory.ReplicaDatabaseFile);
            var (provider, connection) = NodeConfig.StoreOf(settings, directory);
            persistence = SqliteBusyWait.PersistenceSetup(provider, connection);
        }

        var credentials = NodeCredentials.Load(directory);
        var revocations = new RevocationList();
        return new NodeBoot(directory, manifest, config, settings, time, credentials, revocations,
            RemotingTrust.CreateSetup(credentials.Certificate, credentials.Ca, revocations, time), persistence, replicaStoreExisted);
    }

    /// <summary>Starts the node's actors in a system built from <paramref name="boot"/>.</summary>
    public static NodeHost Attach(ActorSystem system, NodeBoot boot)
    {
        var (directory, manifest, config, settings, time, credentials, revocations, _, _, replicaStoreExisted) = boot;
        PeerHandshakeGuard.Install(system);
        if (NodeConfig.FormsAloneFirst(manifest))
        {
            system.Log.Info("First recorded seed: joins a member that answers; forms the cluster alone only once every other seed answers "
                + "that it is not a member, or none answers within {0} (okv.cluster.form-alone-after)", settings.FormAloneAfter);
        }

        DistributedData.Get(system);
        system.ActorOf(SeedRecorder.Props(directory), "okv-seeds");
        system.ActorOf(IslandWatcher.Props(settings.IslandCheckInterval), IslandWatcher.Name);
        system.ActorOf(ClusterSingletonManager.Props(
                ControllerActor.Props(directory, credentials, settings, time, manifest.Name),
                PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(system).WithSingletonName(SingletonName)),
            ControllerManagerName);
        var proxy = system.ActorOf(ClusterSingletonProxy.Props(
                $"/user/{ControllerManagerName}",
                ClusterSingletonProxySettings.Create(system).WithSingletonName(SingletonName)),
            ControllerProxyName);

        var keyStore = KeyStoreSettings.Create(config);
        var vaultActor = system.ActorOf(KeyVaultActor.Props(keyStore), VaultName);
        system.ActorOf(RegistryWatcher.Props(revocations, vaultActor), "okv-registry-watcher");
        var vault = new KeyVaultClient(vaultActor, keyStore);
        system.ActorOf(InspectorActor.Props(manifest.Name, vault, settings.AskTimeout), InspectorActor.Name);
        system.ActorOf(ShardDigestsActor.Props(settings.AskTimeout), ShardDigestsActor.Name);
        // Every KEK generation the node's files hold (one, or two while a rotation re-wraps).
        var kek = KeyringFiles.LoadRing(directory, credentials, manifest);
        var secrets = system.ActorOf(SealedSecretsKeeper.Props(directory, manifest.Name, () => kek.Current.KeyId, settings.WriteTimeout),
            SealedSecretsKeeper.Name);
        system.ActorOf(KeyringKeeper.Props(directory, credentials, manifest, kek, settings.WriteTimeout), KeyringKeeper.Name);
        system.ActorOf(ClusterSingletonManager.Props(
                KekRewrapper.Props(vault, kek, new RewrapSettings(settings.RewrapInterval, settings.RewrapBatchSize, settings.RewrapParallelism,
                    keyStore.ShardCount, settings.AskTimeout, settings.WriteTimeout)),
                PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(system).WithSingletonName(KekRewrapper.SingletonName)),
            KekRewrapper.ManagerName);
        // The audit log restarts with back-off if its journal fails, rather than taking the node down.
        var auditLog = system.ActorOf(BackoffSupervisor.Props(Backoff.OnStop(
            AuditLogActor.Props(manifest.Name, settings, time, AuditAnchor.Read(directory)), "log", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, -1)), AuditName);
        var audit = new ActorAuditTrail(auditLog, settings.AskTimeout, Logging.GetLogger(system, typeof(ActorAuditTrail)));

        // A node that was removed (or left) ends its process: its data directory is kept for inspection.
        AkkaCluster.Get(system).RegisterOnMemberRemoved(() => system.Terminate());
        var backups = system.ActorOf(BackupActor.Props(
            new BackupSource(system, manifest, directory, kek, proxy, auditLog, keyStore.ShardCount, keyStore.WriteTimeout, settings.AskTimeout),
            BackupSettings.Create(config)), BackupActor.Name);
        return new NodeHost(system, manifest, directory, credentials, revocations, proxy, settings, vault, kek)
        {
            VaultActor = vaultActor,
            SecretsKeeper = secrets,
            Audit = audit,
            AuditLog = auditLog,
            Backups = backups,
            ReplicaStoreExisted = replicaStoreExisted,
        };
    }

    /// <summary>Whether this node started with a replica store of its own (one it recovered from, possibly behind).</summary>
    public bool ReplicaStoreExisted { get; private init; }

    /// <summary>This node's keeper of the passphrase-sealed files (<see cref="SealedSecretsKeeper"/>).</summary>
    public IActorRef SecretsKeeper { get; private init; } = ActorRefs.Nobody;

    /// <summary>Names the KEK this node wraps new material under (never the key itself).</summary>
    public string KekId => _kek.Current.KeyId;

    /// <summary>The generation of that KEK (1: made at init; one more per rotation).</summary>
    public int KekGeneration => _kek.Current.Generation;

    /// <summary>The KEK generations this node holds (more than one while a rotation re-wraps).</summary>
    public KekRing Keks => _kek;

    /// <summary>This node's backup actor: backups on request and on schedule, and the last result (see <see cref="BackupActor"/>).</summary>
    public IActorRef Backups { get; private init; } = ActorRefs.Nobody;

    /// <summary>The key vault actor, for hosts that register it (Akka.Hosting's ActorRegistry).</summary>
    public IActorRef VaultActor { get; private init; } = ActorRefs.Nobody;

    public async ValueTask DisposeAsync()
    {
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance);
        await System.WhenTerminated;
        _kek.Dispose();
        Credentials.Dispose();
    }
}

/// <summary>A node prepared to start: see <see cref="NodeHost.Prepare"/>.</summary>
public sealed record NodeBoot(
    NodeDirectory Directory,
    NodeManifest Manifest,
    Config Config,
    OkvClusterSettings Settings,
    TimeProvider Time,
    NodeCredentials Credentials,
    RevocationList Revocations,
    Akka.Remote.Transport.DotNetty.DotNettySslSetup TlsSetup,
    DataOptionsSetup? PersistenceSetup = null,
    bool ReplicaStoreExisted = true)
{
    /// <summary>What the node's ActorSystem must be created with, beside its configuration.</summary>
    public IReadOnlyList<Setup> Setups => PersistenceSetup is null ? [TlsSetup] : [TlsSetup, PersistenceSetup];
}
