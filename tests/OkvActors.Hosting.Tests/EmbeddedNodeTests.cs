using Akka.Actor;
using Akka.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OkvActors.Cluster.Audit;
using OkvActors.Crypto.Keys;
using OkvActors.Hosting;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Vault;
using OkvActors.Node.Commands;
using Xunit;

namespace OkvActors.Hosting.Tests;

/// <summary>A .NET host embeds a node with one call and gets the typed key vault client from DI.</summary>
public sealed class EmbeddedNodeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("okv-embedded-").FullName;

    private string NodeDir => Path.Combine(_root, "node1");

    private static Config FastProfile()
    {
        var hocon = Path.Combine(AppContext.BaseDirectory, "hocon");
        return new[] { "split-brain.fast.conf", "split-brain.conf", "node.conf" }
            .Select(f => ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(hocon, f))))
            .Aggregate((over, under) => over.WithFallback(under));
    }

    private IHost BuildHost()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddOkvNode(new OkvNodeOptions { DataDirectory = NodeDir, OperatorConfig = FastProfile() });
        return builder.Build();
    }

    private static async Task UntilWritable(IKeyVault vault)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await vault.ModeAsync()).Restricted)
        {
            Assert.True(DateTime.UtcNow < deadline, "the embedded node never left restricted mode");
            await timer.WaitForNextTickAsync();
        }
    }

    [Fact]
    public async Task A_host_embeds_a_node_whose_key_vault_comes_from_di_and_keeps_its_data_across_host_restarts()
    {
        Provisioning.Init(NodeDir, "embedded", "node1", "sg01", new NodeAddresses("127.0.0.1", 29500, 29600, 29700, 29800),
            "a long enough passphrase", 3, TimeSpan.FromSeconds(5), TimeSpan.FromHours(24), TimeSpan.FromDays(30));
        var key = ManagedObject.Create(Guid.NewGuid().ToString(), ObjectType.SecretData, 0, 0, [1, 2, 3], new HybridLogicalClock("node1").Now(),
            DateTimeOffset.UtcNow, ["embedded-secret"]);

        using (var host = BuildHost())
        {
            await host.StartAsync();
            var vault = host.Services.GetRequiredService<IKeyVault>();
            await UntilWritable(vault);
            Assert.IsType<ObjectStored>(await vault.StoreAsync(key));
            await host.StopAsync();
        }

        using (var again = BuildHost())
        {
            await again.StartAsync();
            var vault = again.Services.GetRequiredService<IKeyVault>();
            await UntilWritable(vault);
            var found = Assert.IsType<ObjectFound>(await vault.GetAsync(key.Uid));
            Assert.Equal("embedded-secret", Assert.Single(found.Object.Names.Value));

            // Key management from DI: generated on the node, used, and audited as the host.
            var session = again.Services.GetRequiredService<VaultSession>();
            var created = Assert.IsType<ObjectStored>(await session.CreateSymmetricKeyAsync(SymmetricKeyAlgorithm.Aes, 256, ["embedded-aes"]));
            Assert.IsType<ObjectStored>(await session.ActivateAsync(created.Object.Uid));
            var encrypted = Assert.IsType<Encrypted>(await session.EncryptAsync(created.Object.Uid, [4, 2]));
            Assert.Equal([4, 2], Assert.IsType<Decrypted>(await session.DecryptAsync(created.Object.Uid, encrypted.Ciphertext, encrypted.Iv)).Plaintext);
            var node = again.Services.GetRequiredService<OkvNodeHandle>().Node;
            var read = await node.AuditLog.Ask<AuditRead>(new ReadAudit(1, 100), TimeSpan.FromSeconds(10));
            Assert.Contains(read.Entries, e => e is { Who: "operator:host", Operation: "Encrypt", Result: "success" } && e.ObjectUid == created.Object.Uid);
            await again.StopAsync();
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }
}
