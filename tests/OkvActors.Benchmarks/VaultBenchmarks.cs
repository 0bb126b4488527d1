using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.DistributedData;
using Akka.Persistence.Sql;
using BenchmarkDotNet.Attributes;
using OkvActors.Cluster;
using OkvActors.Crypto.Kek;
using OkvActors.Crypto.Keys;
using OkvActors.KeyStore;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Vault;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.Benchmarks;

/// <summary>
/// The in-process client on one node (one ActorSystem, a cluster of one): create, get and encrypt through
/// <see cref="KeyManager"/>, as an embedding host calls them. With <see cref="Durable"/> the key shards are
/// durable in SQLite as on a real node (the Replicator acknowledges a write only once the store has it);
/// without, the same path in memory: the difference is what the durable store costs per write.
/// </summary>
[ShortJob]
[MemoryDiagnoser]
public class VaultBenchmarks
{
    /// <summary>Outside the ports other test suites on this machine use (25000-33999) and the load scenario's.</summary>
    private const int Port = 41400;
    private const int Concurrent = 64;

    private ActorSystem _system = null!;
    private KeyManager _keys = null!;
    private KeyEncryptionKey _kek = null!;
    private string _dir = "";
    private string _activeUid = "";
    private readonly byte[] _plaintext = new byte[1024];

    [Params(false, true)]
    public bool Durable { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("okv-bench-vault-").FullName;
        var database = Path.Combine(_dir, "okv.db").Replace("\\", "/", StringComparison.Ordinal);
        var config = ConfigurationFactory.ParseString($$"""
                akka.loglevel = WARNING
                akka.actor.provider = cluster
                akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {{Port}} }
                akka.cluster.distributed-data.durable.keys = [{{(Durable ? "\"okv-shard-*\"" : "")}}]
                akka.persistence.journal {
                  plugin = "akka.persistence.journal.sql"
                  sql { connection-string = "Data Source={{database}}", provider-name = "SQLite.MS", auto-initialize = true }
                }
                akka.persistence.snapshot-store {
                  plugin = "akka.persistence.snapshot-store.sql"
                  sql { connection-string = "Data Source={{database}}", provider-name = "SQLite.MS", auto-initialize = true }
                }
                """)
            .WithFallback(OkvClusterSettings.DefaultConfig())
            .WithFallback(KeyStoreSettings.DefaultConfig())
            .WithFallback(SqlPersistence.DefaultConfiguration)
            .WithFallback(DistributedData.DefaultConfig());
        _system = ActorSystem.Create("okv-bench", config);
        var cluster = AkkaCluster.Get(_system);
        cluster.Join(cluster.SelfAddress);
        DistributedData.Get(_system);
        Until(() => cluster.SelfMember.Status == MemberStatus.Up, "the node to be Up");

        var settings = KeyStoreSettings.Create(_system);
        var vault = new KeyVaultClient(_system.ActorOf(KeyVaultActor.Props(settings), "okv-vault"), settings);
        Until(() => !vault.ModeAsync().GetAwaiter().GetResult().Restricted, "the vault to accept writes");
        _kek = KeyEncryptionKey.Generate();
        _keys = new KeyManager(vault, _kek, new HybridLogicalClock("bench"));

        var created = (ObjectStored)_keys.CreateSymmetricKeyAsync(SymmetricKeyAlgorithm.Aes, 256, ["bench-active"]).GetAwaiter().GetResult();
        _activeUid = created.Object.Uid;
        if (_keys.ActivateAsync(_activeUid).GetAwaiter().GetResult() is not ObjectStored)
        {
            throw new InvalidOperationException("could not activate the benchmark key");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _system.Terminate().Wait(TimeSpan.FromSeconds(30));
        _kek.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Description = "Create (one at a time)")]
    public async Task<IVaultReply> Create() => Expect<ObjectStored>(await _keys.CreateSymmetricKeyAsync(SymmetricKeyAlgorithm.Aes, 256, ["bench"]));

    [Benchmark(Description = "Create (64 in flight)", OperationsPerInvoke = Concurrent)]
    public async Task CreateConcurrently()
    {
        var replies = await Task.WhenAll(Enumerable.Range(0, Concurrent)
            .Select(_ => _keys.CreateSymmetricKeyAsync(SymmetricKeyAlgorithm.Aes, 256, ["bench"])));
        foreach (var reply in replies)
        {
            Expect<ObjectStored>(reply);
        }
    }

    [Benchmark(Description = "Get (local replica)")]
    public async Task<IVaultReply> GetLocal() => Expect<ObjectFound>(await _keys.Store.GetAsync(_activeUid, ReadFreshness.Local));

    [Benchmark(Description = "Get (latest: majority read)")]
    public async Task<IVaultReply> GetLatest() => Expect<ObjectFound>(await _keys.Store.GetAsync(_activeUid, ReadFreshness.Latest));

    [Benchmark(Description = "Encrypt 1 KiB (AES-GCM)")]
    public async Task<IVaultReply> Encrypt() => Expect<Encrypted>(await _keys.EncryptAsync(_activeUid, _plaintext));

    private static IVaultReply Expect<T>(IVaultReply reply) where T : IVaultReply =>
        reply is T ? reply : throw new InvalidOperationException($"expected {typeof(T).Name}, got {reply}");

    private static void Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            Thread.Sleep(50);
        }
    }
}
