using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using OkvActors.Cluster.Backup;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Hosting;
using OkvActors.Cluster.Inspection;
using OkvActors.Cluster.Storage;
using OkvActors.Endpoints;
using OkvActors.Endpoints.Kmip;
using OkvActors.Endpoints.Management;
using OkvActors.Rest;

namespace OkvActors.Node.Commands;

/// <summary>`okv run`: runs one node in the foreground until SIGTERM/SIGINT or until it is removed.</summary>
public static class NodeRunner
{
    public static async Task<int> Run(string dirPath, Config operatorConfig, IReadOnlyList<string>? seeds, CancellationToken stop)
    {
        var dir = new NodeDirectory(dirPath);
        await using var node = NodeHost.Start(dir, operatorConfig, seeds);
        // A node made by `okv restore` imports its archive before it serves anything.
        if (await RestoreImport.RunIfPendingAsync(node, stop) is { } imported)
        {
            Console.WriteLine($"okv: imported {imported} objects from the restored archive");
        }

        var managementSettings = ManagementSettings.Create(node.System.Settings.Config);
        var handler = new ControlHandler(node, LogRing.Start(node.System, managementSettings.LogBufferSize));
        await using var control = ControlServer.Start(node, handler);
        await using var management = managementSettings.Enabled ? StartManagement(node, managementSettings, handler) : null;
        var kmipSettings = KmipSettings.Create(node.System.Settings.Config);
        await using var kmip = kmipSettings.Enabled
            ? KmipService.Start(node, kmipSettings, new IPEndPoint(AddressOf(node.Manifest.Host), node.Manifest.KmipPort))
            : null;
        var restSettings = RestSettings.Create(node.System.Settings.Config);
        await using var rest = restSettings.Enabled
            ? await RestServer.StartAsync(node, restSettings, new IPEndPoint(AddressOf(node.Manifest.Host), node.Manifest.HttpsPort), handler)
            : null;
        Console.WriteLine($"okv: node '{node.Manifest.Name}' of cluster '{node.Manifest.Cluster}' runs at {node.Cluster.SelfAddress}; control socket {dir.ControlSocket}"
            + (management is null ? "; management listener off" : $"; management {management.LocalEndpoint}")
            + (kmip is null ? "; KMIP off" : $"; KMIP {kmip.LocalEndpoint}")
            + (rest is null ? "; HTTPS off" : $"; HTTPS {rest.LocalEndpoint}"));

        // SIGTERM and Ctrl-C (the command line turns both into `stop`) leave the cluster gracefully,
        // handing the controller over, before the process exits.
        await using var leave = stop.Register(() => CoordinatedShutdown.Get(node.System).Run(CoordinatedShutdown.ClrExitReason.Instance));
        await node.WhenTerminated;
        Console.WriteLine($"okv: node '{node.Manifest.Name}' stopped");
        return 0;
    }

    private static IPAddress AddressOf(string host) => IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host).First();

    /// <summary>okvctl's listener on the node's management port, presenting the node certificate.</summary>
    private static ManagementListener StartManagement(NodeHost node, ManagementSettings settings, IControlHandler handler)
    {
        return new ManagementListener(new IPEndPoint(AddressOf(node.Manifest.Host), node.Manifest.ManagementPort), node.Credentials.Certificate, node.Credentials.Ca,
            node.Revocations, settings, handler, Logging.GetLogger(node.System, typeof(ManagementListener)));
    }
}
