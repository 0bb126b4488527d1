using System.Diagnostics;
using System.Text;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Storage;
using OkvActors.Cluster.Trust;
using OkvActors.Node.Tests.Infrastructure;
using Xunit;

namespace OkvActors.Node.Tests.Hsm;

/// <summary>
/// Nodes whose KEK is sealed by a real SoftHSM2 token. A one-node cluster initialised with the HSM runs,
/// keeps serving a key across a restart (the KEK comes back through the HSM), never writes the KEK
/// wrapped to its node key, and refuses to start with one clear line when the PIN is wrong; a candidate
/// joining with the HSM is refused before admission on a wrong PIN, then seals the admitted KEK.
/// Ports 33000..33311 only.
/// </summary>
public sealed class HsmRootOfTrustTests : IDisposable
{
    private const string Module = "/usr/lib/softhsm/libsofthsm2.so";
    private const string Token = "okv-node-test";
    private const string Pin = "5170-node-pin";
    private const int BasePort = 33000;
    private static readonly TimeSpan Timeout = StandaloneNode.Timeout;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "okv-tests", $"hsm-{Guid.NewGuid():N}"[..24]);
    private readonly List<Process> _processes = [];

    private string Conf => Path.Combine(_root, "softhsm2.conf");

    private NodeDirectory Node => new(Path.Combine(_root, "node1"));

    private NodeDirectory Joiner => new(Path.Combine(_root, "node2"));

    private string PassphraseFile => Path.Combine(_root, "recovery-passphrase");

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

        var init = await Init(BasePort, "--hsm-module", Module, "--hsm-token", Token);
        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.True(File.Exists(Node.HsmSealedKekFile));
        Assert.False(File.Exists(Node.WrappedKekFile), "with an HSM the KEK must not be wrapped to the node key on disk");
        Assert.DoesNotContain(Pin, await File.ReadAllTextAsync(Node.ManifestFile));
        Assert.Equal(Token, Node.ReadManifest().Hsm?.Token);

        var first = await Start(Node, 1);
        var created = await Control(Node, "key-create", ("name", "hsm-guarded"));
        var uid = created.Data!["uid"]!.GetValue<string>();
        await Control(Node, "key-activate", ("uid", uid));
        var secret = Encoding.UTF8.GetBytes("sealed by a token, not by a disk");
        var encrypted = await Control(Node, "key-encrypt", ("uid", uid), ("data", Convert.ToBase64String(secret)));
        await Stop(first);

        var refused = await Okv.Run(["run", "--dir", Node.Root, "--profile", "fast"], Env("0000-wrong"), TimeSpan.FromSeconds(30));
        Assert.True(refused.ExitCode != 0, refused.ToString());
        var line = Assert.Single(refused.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"okv: error: the HSM refused the PIN for token '{Token}'", line);
        Assert.DoesNotContain("0000-wrong", refused.Output);

        var second = await Start(Node, 1);
        var decrypted = await Control(Node, "key-decrypt", ("uid", uid),
            ("ciphertext", encrypted.Data!["ciphertext"]!.GetValue<string>()), ("iv", encrypted.Data["iv"]!.GetValue<string>()));
        Assert.Equal(secret, Convert.FromBase64String(decrypted.Data!["data"]!.GetValue<string>()));
        Assert.False(File.Exists(Node.WrappedKekFile));
        await Stop(second);
    }

    [SkippableFact]
    public async Task A_candidate_joining_with_the_hsm_is_refused_a_wrong_pin_before_admission_and_then_seals_the_admitted_kek()
    {
        Skip.IfNot(File.Exists(Module), $"SoftHSM2 is not installed ({Module} is absent): apt-get install softhsm2");
        InitToken();
        const int port = BasePort + 10;
        var init = await Init(port);
        Assert.True(init.ExitCode == 0, init.ToString());
        var controller = await Start(Node, 1);
        var candidate = await Okv.Run(["candidate", "--dir", Joiner.Root, "--name", "node2", "--host", "127.0.0.1", "--port", $"{port + 1}",
            "--kmip-port", $"{port + 101}", "--management-port", $"{port + 201}", "--https-port", $"{port + 301}"]);
        Assert.True(candidate.ExitCode == 0, candidate.ToString());
        var fingerprint = candidate.Stdout.Split('\n').Single(l => l.StartsWith("fingerprint: ", StringComparison.Ordinal))["fingerprint: ".Length..].Trim();
        var bundle = Path.Combine(_root, "node2.bundle.json");
        var admit = await Okv.Run(["admit", "--dir", Node.Root, "--csr", Joiner.CsrFile, "--fingerprint", fingerprint,
            "--passphrase-file", PassphraseFile, "--out", bundle]);
        Assert.True(admit.ExitCode == 0, admit.ToString());
        string[] join = ["join", "--dir", Joiner.Root, "--bundle", bundle, "--profile", "fast", "--hsm-module", Module, "--hsm-token", Token,
            "--hsm-key-label", "node2-kek"];

        var refused = await Okv.Run(join, Env("0000-wrong"));
        Assert.True(refused.ExitCode != 0, refused.ToString());
        Assert.Equal($"okv: error: the HSM refused the PIN for token '{Token}'", refused.Stderr.Trim());
        Assert.Equal(NodeStage.Candidate, Joiner.ReadManifest().Stage);
        var registry = (await Control(Node, "registry")).Data!["nodes"]!.AsArray();
        Assert.DoesNotContain(registry, n => n!["name"]!.GetValue<string>() == "node2" && n["state"]!.GetValue<string>() == "Active");

        var joined = await Okv.Run(join, Env(Pin));
        Assert.True(joined.ExitCode == 0, joined.ToString());
        Assert.True(File.Exists(Joiner.HsmSealedKekFile));
        Assert.False(File.Exists(Joiner.WrappedKekFile), "the admitted KEK must be sealed by the HSM, not stored wrapped to the node key");
        Assert.Equal("node2-kek", Joiner.ReadManifest().Hsm?.KeyLabel);

        var member = await Start(Joiner, 2);
        var uid = (await Control(Node, "key-create", ("name", "made-on-node1"))).Data!["uid"]!.GetValue<string>();
        await Control(Node, "key-activate", ("uid", uid));
        var secret = Encoding.UTF8.GetBytes("opened with a KEK the HSM unsealed");
        var encrypted = await Eventually.Until(async () =>
        {
            var response = await ControlClient.SendAsync(Joiner.ControlSocket, new ControlRequest("key-encrypt",
                new() { ["uid"] = uid, ["data"] = Convert.ToBase64String(secret) }), TimeSpan.FromSeconds(10));
            return (response.Ok, response, response.Message);
        }, Timeout, "node2 to encrypt with the key made on node1");
        var decrypted = await Control(Node, "key-decrypt", ("uid", uid),
            ("ciphertext", encrypted.Data!["ciphertext"]!.GetValue<string>()), ("iv", encrypted.Data["iv"]!.GetValue<string>()));
        Assert.Equal(secret, Convert.FromBase64String(decrypted.Data!["data"]!.GetValue<string>()));
        await Stop(member);
        await Stop(controller);
    }

    private async Task<OkvResult> Init(int port, params string[] hsm)
    {
        await File.WriteAllTextAsync(PassphraseFile, "hsm node test recovery passphrase 7f3a\n");
        return await StandaloneNode.Init(Node, "okv-hsm", port, PassphraseFile, Env(Pin), hsm);
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

    private async Task<Process> Start(NodeDirectory node, int expectedUp)
    {
        var process = await StandaloneNode.Start(node, expectedUp, Env(Pin));
        _processes.Add(process);
        return process;
    }

    private static Task Stop(Process process) => StandaloneNode.Stop(process);

    private static Task<ControlResponse> Control(NodeDirectory node, string command, params (string Key, string Value)[] args) =>
        StandaloneNode.Control(node, command, args);
}
