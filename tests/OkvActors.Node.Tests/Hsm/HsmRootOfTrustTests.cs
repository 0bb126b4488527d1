using System.Diagnostics;
using System.Text;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Storage;
using OkvActors.Cluster.Trust;
using OkvActors.Node.Tests.Infrastructure;
using Xunit;

namespace OkvActors.Node.Tests.Hsm;

/// <summary>
/// A one-node cluster whose KEK is sealed by a real SoftHSM2 token: it runs, keeps serving a key across
/// a restart (the KEK comes back through the HSM), never writes the KEK wrapped to its node key, and
/// refuses to start with one clear line when the PIN is wrong. Ports 33000..33300.
/// </summary>
public sealed class HsmRootOfTrustTests : IDisposable
{
    private const string Module = "/usr/lib/softhsm/libsofthsm2.so";
    private const string Token = "okv-node-test";
    private const string Pin = "5170-node-pin";
    private const int BasePort = 33000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "okv-tests", $"hsm-{Guid.NewGuid():N}"[..24]);
    private readonly List<Process> _processes = [];

    private string Conf => Path.Combine(_root, "softhsm2.conf");

    private NodeDirectory Node => new(Path.Combine(_root, "node1"));

    private Dictionary<string, string> Env(string pin) => new() { ["SOFTHSM2_CONF"] = Conf, [NodeCredentials.HsmPinVariable] = pin };

    public void Dispose()
    {
        foreach (var process in _processes.Where(p => !p.HasExited))
        {
            process.Kill(entireProcessTree: true);
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A process that was still closing its log; the temp folder is cleaned with the machine.
        }
    }

    [SkippableFact]
    public async Task A_node_whose_kek_the_hsm_seals_serves_keys_across_a_restart_and_refuses_a_wrong_pin()
    {
        Skip.IfNot(File.Exists(Module), $"SoftHSM2 is not installed ({Module} is absent): apt-get install softhsm2");
        InitToken();
        var passphrase = Path.Combine(_root, "recovery-passphrase");
        await File.WriteAllTextAsync(passphrase, "hsm node test recovery passphrase 7f3a\n");

        var init = await Okv.Run(["init", "--dir", Node.Root, "--cluster", "okv-hsm", "--name", "node1", "--host", "127.0.0.1",
            "--port", $"{BasePort}", "--kmip-port", $"{BasePort + 100}", "--management-port", $"{BasePort + 200}",
            "--https-port", $"{BasePort + 300}", "--passphrase-file", passphrase, "--hsm-module", Module, "--hsm-token", Token], Env(Pin));
        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.True(File.Exists(Node.HsmSealedKekFile));
        Assert.False(File.Exists(Node.WrappedKekFile), "with an HSM the KEK must not be wrapped to the node key on disk");
        Assert.DoesNotContain(Pin, await File.ReadAllTextAsync(Node.ManifestFile));
        Assert.Equal(Token, Node.ReadManifest().Hsm?.Token);

        var first = await Start();
        var created = await Control("key-create", ("name", "hsm-guarded"));
        var uid = created.Data!["uid"]!.GetValue<string>();
        await Control("key-activate", ("uid", uid));
        var secret = Encoding.UTF8.GetBytes("sealed by a token, not by a disk");
        var encrypted = await Control("key-encrypt", ("uid", uid), ("data", Convert.ToBase64String(secret)));
        await Stop(first);

        var refused = await Okv.Run(["run", "--dir", Node.Root, "--profile", "fast"], Env("0000-wrong"), TimeSpan.FromSeconds(30));
        Assert.True(refused.ExitCode != 0, refused.ToString());
        var line = Assert.Single(refused.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"okv: error: the HSM refused the PIN for token '{Token}'", line);
        Assert.DoesNotContain("0000-wrong", refused.Output);

        var second = await Start();
        var decrypted = await Control("key-decrypt", ("uid", uid),
            ("ciphertext", encrypted.Data!["ciphertext"]!.GetValue<string>()), ("iv", encrypted.Data["iv"]!.GetValue<string>()));
        Assert.Equal(secret, Convert.FromBase64String(decrypted.Data!["data"]!.GetValue<string>()));
        Assert.False(File.Exists(Node.WrappedKekFile));
        await Stop(second);
    }

    private void InitToken()
    {
        var tokens = Path.Combine(_root, "tokens");
        Directory.CreateDirectory(tokens);
        File.WriteAllText(Conf, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n");
        var info = new ProcessStartInfo("softhsm2-util") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--init-token", "--free", "--label", Token, "--pin", Pin, "--so-pin", "8842-so-pin" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["SOFTHSM2_CONF"] = Conf;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"softhsm2-util --init-token: {output.Result}{error}");
    }

    private async Task<Process> Start()
    {
        var log = Path.Combine(Node.Root, "node.log");
        var process = Okv.StartLogged(["run", "--dir", Node.Root, "--profile", "fast"], log, Env(Pin));
        _processes.Add(process);
        await Eventually.Until(async () =>
        {
            if (process.HasExited)
            {
                throw new Xunit.Sdk.XunitException($"okv run exited with {process.ExitCode}:\n{await File.ReadAllTextAsync(log)}");
            }

            var status = await ControlClient.SendAsync(Node.ControlSocket, new ControlRequest("status"), TimeSpan.FromSeconds(5));
            var up = status.Ok && LocalCluster.UpMembers(status.Data!).Count == 1 && (await CurrentPid()) == process.Id;
            return (up, true, status.Message);
        }, Timeout, "the HSM node to be Up");
        return process;
    }

    private async Task<int> CurrentPid() =>
        (await ControlClient.SendAsync(Node.ControlSocket, new ControlRequest("status"), TimeSpan.FromSeconds(5))).Data!["pid"]!.GetValue<int>();

    private static async Task Stop(Process process)
    {
        Okv.Terminate(process.Id);
        using var wait = new CancellationTokenSource(Timeout);
        await process.WaitForExitAsync(wait.Token);
    }

    private async Task<ControlResponse> Control(string command, params (string Key, string Value)[] args)
    {
        var response = await ControlClient.SendAsync(Node.ControlSocket,
            new ControlRequest(command, args.ToDictionary(a => a.Key, a => a.Value)), TimeSpan.FromSeconds(30));
        Assert.True(response.Ok, $"{command}: {response.Message}");
        return response;
    }
}
