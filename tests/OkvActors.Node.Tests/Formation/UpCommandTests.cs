using System.Diagnostics;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Storage;
using OkvActors.Node.Tests.Infrastructure;
using OkvActors.Node.Up;
using Xunit;

namespace OkvActors.Node.Tests.Formation;

/// <summary>`okv up` stops its nodes gracefully on SIGTERM, and run again on the same directory restarts the same cluster.</summary>
public sealed class UpCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "okv-tests", $"up-{Guid.NewGuid():N}"[..20]);
    private readonly List<int> _pids = [];

    [Fact]
    public async Task Sigterm_stops_every_node_gracefully_and_up_again_restarts_the_same_cluster_with_its_data()
    {
        var first = await Up();
        var registry = await Registry();
        Assert.Equal(["node1", "node2"], first.File.Nodes.Select(n => n.Name));
        if (Environment.GetEnvironmentVariable("DOTNET_GCgen0size") is null)
        {
            // okv up starts its nodes with the node runtime settings (OkvProcess.NodeRuntimeEnvironment): the GC's own figure.
            var status = await ControlClient.SendAsync(new NodeDirectory(Path.Combine(_root, "node1")).ControlSocket, new ControlRequest("status"), TimeSpan.FromSeconds(20));
            Assert.Equal(16 * 1024 * 1024, status.Data!["gcGen0MaxBudgetBytes"]!.GetValue<long>());
        }

        await Stop(first.Up, first.File);
        foreach (var node in first.File.Nodes)
        {
            var log = await File.ReadAllTextAsync(Path.Combine(node.Data, "node.log"));
            Assert.Contains($"okv: node '{node.Name}' stopped", log);
            Assert.Contains("Exiting completed", log); // left the cluster, not just died
        }

        File.Delete(Path.Combine(_root, "cluster.json"));
        var second = await Up();
        Assert.All(second.File.Nodes, n => Assert.DoesNotContain(n.Pid, first.File.Nodes.Select(f => f.Pid)));
        var restarted = await Registry();
        Assert.Equal(registry["nodes"]!.ToJsonString(), restarted["nodes"]!.ToJsonString());
        Assert.Equal(registry["version"]!.GetValue<long>(), restarted["version"]!.GetValue<long>());
        await Stop(second.Up, second.File);
    }

    private async Task<(Process Up, ClusterFile File)> Up()
    {
        Directory.CreateDirectory(_root);
        var up = Okv.StartLogged(["up", "--nodes", "2", "--dir", _root, "--base-port", "28000"], Path.Combine(_root, "up.log"));
        _pids.Add(up.Id);
        var clusterJson = Path.Combine(_root, "cluster.json");
        await Eventually.Until(() => !up.HasExited && File.Exists(clusterJson), Timeout, "okv up to write cluster.json");
        var file = ClusterFile.Read(clusterJson);
        _pids.AddRange(file.Nodes.Select(n => n.Pid));
        return (up, file);
    }

    private async Task<System.Text.Json.Nodes.JsonNode> Registry()
    {
        var socket = new NodeDirectory(Path.Combine(_root, "node1")).ControlSocket;
        return await Eventually.Until(async () =>
        {
            var response = await ControlClient.SendAsync(socket, new ControlRequest("registry"), TimeSpan.FromSeconds(20));
            return (response.Ok, response.Data!, response.Message);
        }, Timeout, "the registry");
    }

    private static async Task Stop(Process up, ClusterFile file)
    {
        Okv.Terminate(up.Id);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await up.WaitForExitAsync(wait.Token);
        Assert.Equal(0, up.ExitCode);
        Assert.All(file.Nodes, n => Assert.False(Okv.IsAlive(n.Pid), $"{n.Name} still runs"));
    }

    public void Dispose()
    {
        foreach (var pid in _pids.Where(Okv.IsAlive))
        {
            Okv.Kill9(pid);
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // a log still being closed; the temp folder goes with the machine
        }
    }
}
