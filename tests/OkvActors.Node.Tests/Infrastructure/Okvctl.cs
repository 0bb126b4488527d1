using System.Diagnostics;
using System.Text.Json.Nodes;

namespace OkvActors.Node.Tests.Infrastructure;

/// <summary>Runs the real `okvctl` program (built beside the tests) as an OS process against a cluster's management listeners.</summary>
public static class Okvctl
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "okvctl.dll");

    public static async Task<OkvResult> Run(IEnumerable<string> args, TimeSpan? timeout = null, string? stdin = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(info)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"okvctl {string.Join(' ', args)} did not finish");
        }

        return new OkvResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>okvctl against <paramref name="node"/>'s management port with the cluster's operator certificate (via cluster.json).</summary>
    public static Task<OkvResult> On(LocalCluster cluster, string node, params string[] command) =>
        Run([cluster.Management(node), "--cluster", Path.Combine(cluster.Root, "cluster.json"), .. command]);

    /// <summary>The command's --json output, failing with okvctl's own words when it did not succeed.</summary>
    public static async Task<JsonNode> Json(LocalCluster cluster, string node, params string[] command)
    {
        var result = await On(cluster, node, [.. command, "--json"]);
        return result.ExitCode == 0
            ? JsonNode.Parse(result.Stdout)!
            : throw new InvalidOperationException($"okvctl {string.Join(' ', command)} on {node}: {result}");
    }
}
