using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OkvActors.Cluster.Hosting;
using OkvActors.Cluster.Storage;
using OkvActors.KeyStore;
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

/// <summary>
/// Embeds an OkvActors node in any .NET host: one call adds the node to Akka.Hosting's builder; the typed
/// <see cref="IKeyVault"/> client comes from DI; stopping the host leaves the cluster gracefully (Akka.Hosting
/// runs CoordinatedShutdown).
/// </summary>
public static class OkvNodeHostingExtensions
{
    /// <summary>
    /// Adds the node's actor system (named after its cluster, as every member's must be) and registers
    /// <see cref="IKeyVault"/>.
    /// </summary>
    public static IServiceCollection AddOkvNode(this IServiceCollection services, OkvNodeOptions options)
    {
        var boot = NodeHost.Prepare(new NodeDirectory(options.DataDirectory), options.OperatorConfig ?? DefaultOperatorConfig());
        services.AddAkka(boot.Manifest.Cluster!, builder => builder.WithOkvNode(boot));
        services.AddSingleton<IKeyVault>(provider =>
            new KeyVaultClient(provider.GetRequiredService<ActorRegistry>().Get<OkvVault>(), KeyStoreSettings.Create(boot.Config)));
        return services;
    }

    /// <summary>Adds a prepared node to an Akka.Hosting builder whose system is named after the node's cluster.</summary>
    public static AkkaConfigurationBuilder WithOkvNode(this AkkaConfigurationBuilder builder, NodeBoot boot) =>
        builder
            .AddHocon(boot.Config, HoconAddMode.Prepend)
            .AddSetup(boot.TlsSetup)
            .WithActorRefProvider(ProviderSelection.Cluster.Instance)
            .WithActors((system, registry) => registry.Register<OkvVault>(NodeHost.Attach(system, boot).VaultActor));

    private static Config DefaultOperatorConfig()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "hocon");
        return ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(dir, "split-brain.conf")))
            .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(dir, "node.conf"))));
    }
}
