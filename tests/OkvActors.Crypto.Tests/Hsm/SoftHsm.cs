using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit;

namespace OkvActors.Crypto.Tests.Hsm;

/// <summary>
/// A private SoftHSM2 for the tests of one collection: its own token directory and softhsm2.conf,
/// named by SOFTHSM2_CONF before the module is first loaded (SoftHSM2 reads it in C_Initialize),
/// and two initialised tokens, so a test can show that one token's key does not open the other's blob.
/// </summary>
public sealed class SoftHsm : IDisposable
{
    public const string Module = "/usr/lib/softhsm/libsofthsm2.so";
    public const string Pin = "4821-user-pin";
    public const string TokenA = "okv-test-a";
    public const string TokenB = "okv-test-b";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "okv-softhsm", Guid.NewGuid().ToString("N"));

    public SoftHsm()
    {
        if (!Available)
        {
            return;
        }

        var tokens = Path.Combine(_root, "tokens");
        Directory.CreateDirectory(tokens);
        var config = Path.Combine(_root, "softhsm2.conf");
        File.WriteAllText(config, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n");
        // The module reads the variable with getenv: on Unix, Environment.SetEnvironmentVariable changes
        // only .NET's copy (which child processes such as softhsm2-util inherit), so set both.
        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", config);
        _ = SetEnv("SOFTHSM2_CONF", config, 1);
        InitToken(TokenA);
        InitToken(TokenB);
    }

    [DllImport("libc", EntryPoint = "setenv", SetLastError = true)]
    private static extern int SetEnv(string name, string value, int overwrite);

    public static bool Available => File.Exists(Module);

    public static void SkipUnlessAvailable() =>
        Skip.IfNot(Available, $"SoftHSM2 is not installed ({Module} is absent): apt-get install softhsm2");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // The temp folder is cleaned with the machine.
        }
    }

    private static void InitToken(string label)
    {
        var info = new ProcessStartInfo("softhsm2-util")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--init-token", "--free", "--label", label, "--pin", Pin, "--so-pin", "9713-so-pin" })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"softhsm2-util --init-token {label} failed ({process.ExitCode}): {output.Result}{error}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SoftHsmCollection : ICollectionFixture<SoftHsm>
{
    public const string Name = "softhsm";
}
