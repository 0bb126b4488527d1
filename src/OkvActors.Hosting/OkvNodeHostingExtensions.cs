using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OkvActors.Cluster.Hosting;
using OkvActors.Cluster.Storage;
using OkvActors.KeyStore;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Vault;

namespace OkvActors.Hosting;

/// <summary>How an embedding host runs a node: its data directory (made by `okv init` or `okv join`) and its HOCON.</summary>
public sealed class OkvNodeOptions
{
    /// <summary>The node's data directory. <b>Required.</b></summary>
    public required string DataDirectory { get; init; }

    /// <summary>The operator's HOCON (hocon/node.conf and a split-brain profile). <b>Default:</b> the files beside the application in hocon/.</summary>
    public Config? OperatorConfig { get; init; }
}

/// <summary>Marker for the key vault actor in Akka.Hosting's <see cref="ActorRegistry"/>.</summary>
public sealed class OkvVault;

/// <summary>The running node, once Akka.Hosting has started it (DI resolves the clients from it).</summary>
public sealed class OkvNodeHandle
{
    private NodeHost? _node;

    public NodeHost Node
    {
        get => _node ?? throw new InvalidOperationException("the OkvActors node has not started yet; resolve its clients after the host starts");
        internal set => _node = value;
    }
}

/// <summary>
/// Embeds an OkvActors node in any .NET host: one call adds the node to Akka.Hosting's builder; the typed
/// <see cref="IKeyVault"/> client comes from DI; stopping the host leaves the cluster gracefully (Akka.Hosting
/// runs CoordinatedShutdown).
/// </summary>
public static class OkvNodeHostingExtensions
{
    /// <summary>
    /// Adds the node's actor system (named after its cluster, as every member's must be) and registers
    /// <see cref="IKeyVault"/> (the raw replicated store) and <see cref="VaultSession"/> (key management
    /// as the operator "host": generation, crypto, access control, every call in the node's audit log).
    /// </summary>
    public static IServiceCollection AddOkvNode(this IServiceCollection services, OkvNodeOptions options)
    {
        var boot = NodeHost.Prepare(new NodeDirectory(options.DataDirectory), options.OperatorConfig ?? DefaultOperatorConfig());
        var handle = new OkvNodeHandle();
        services.AddSingleton(handle);
        services.AddAkka(boot.Manifest.Cluster!, builder => builder.WithOkvNode(boot, node => handle.Node = node));
        services.AddSingleton<IKeyVault>(provider =>
            new KeyVaultClient(provider.GetRequiredService<ActorRegistry>().Get<OkvVault>(), KeyStoreSettings.Create(boot.Config)));
        services.AddSingleton(_ => handle.Node.SessionFor(new Principal.Operator("host")));
        return services;
    }

    /// <summary>Adds a prepared node to an Akka.Hosting builder whose system is named after the node's cluster.</summary>
    public static AkkaConfigurationBuilder WithOkvNode(this AkkaConfigurationBuilder builder, NodeBoot boot, Action<NodeHost>? started = null) =>
        boot.Setups.Aggregate(builder.AddHocon(boot.Config, HoconAddMode.Prepend), (b, setup) => b.AddSetup(setup))
            .WithActorRefProvider(ProviderSelection.Cluster.Instance)
            .WithActors((system, registry) =>
            {
                var node = NodeHost.Attach(system, boot);
                registry.Register<OkvVault>(node.VaultActor);
                // A member restarted from its own store catches up from a majority while it serves (as `okv run` does).
                _ = FirstSync.CatchUpAfterRestartAsync(node, CancellationToken.None);
                started?.Invoke(node);
            });

    private static Config DefaultOperatorConfig()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "hocon");
        return ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(dir, "split-brain.conf")))
            .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(dir, "node.conf"))));
    }
}
