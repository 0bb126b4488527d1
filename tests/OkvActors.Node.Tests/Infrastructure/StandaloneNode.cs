using System.Diagnostics;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Storage;
using Xunit;

namespace OkvActors.Node.Tests.Infrastructure;

/// <summary>Starting, stopping and asking nodes a test set up by hand (outside an `okv up` cluster).</summary>
public static class StandaloneNode
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>`okv init` of a founding node whose ports are <paramref name="port"/> and its +100/+200/+300 neighbours.</summary>
    public static Task<OkvResult> Init(NodeDirectory node, string cluster, int port, string passphraseFile, IDictionary<string, string>? env,
        params string[] extra) =>
        Okv.Run(["init", "--dir", node.Root, "--cluster", cluster, "--name", "node1", "--host", "127.0.0.1",
            "--port", $"{port}", "--kmip-port", $"{port + 100}", "--management-port", $"{port + 200}",
            "--https-port", $"{port + 300}", "--passphrase-file", passphraseFile, .. extra], env);

    /// <summary>`okv run` until this process reports <paramref name="expectedUp"/> Up members.</summary>
    public static async Task<Process> Start(NodeDirectory node, int expectedUp, IDictionary<string, string>? env = null, params string[] extra)
    {
        var log = Path.Combine(node.Root, "node.log");
        var process = Okv.StartLogged(["run", "--dir", node.Root, "--profile", "fast", .. extra], log, env);
        await Eventually.Until(async () =>
        {
            if (process.HasExited)
            {
                throw new Xunit.Sdk.XunitException($"okv run exited with {process.ExitCode}:\n{await File.ReadAllTextAsync(log)}");
            }

            var status = await ControlClient.SendAsync(node.ControlSocket, new ControlRequest("status"), TimeSpan.FromSeconds(5));
            var up = status.Ok && status.Data!["pid"]!.GetValue<int>() == process.Id && LocalCluster.UpMembers(status.Data).Count == expectedUp;
            return (up, true, status.Message);
        }, Timeout, $"{node.Root} to be Up with {expectedUp} member(s)");
        return process;
    }

    public static async Task Stop(Process process)
    {
        Okv.Terminate(process.Id);
        using var wait = new CancellationTokenSource(Timeout);
        await process.WaitForExitAsync(wait.Token);
    }

    /// <summary>A control command that must succeed.</summary>
    public static async Task<ControlResponse> Control(NodeDirectory node, string command, params (string Key, string Value)[] args)
    {
        var response = await ControlClient.SendAsync(node.ControlSocket,
            new ControlRequest(command, args.ToDictionary(a => a.Key, a => a.Value)), TimeSpan.FromSeconds(30));
        Assert.True(response.Ok, $"{command}: {response.Message}");
        return response;
    }
}
