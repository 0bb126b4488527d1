using System.Diagnostics;
using System.Net.Sockets;
using OkvActors.LoadGen;
using OkvActors.Node.Up;

namespace OkvActors.Lab.Peers;

/// <summary>
/// Debian's pykmip-server (python3-pykmip 0.10), the KMIP peer: its certificate issued by our cluster CA
/// (`okv issue --role endpoint --name pykmip`), mutual TLS 1.2, SQLite in its own directory.
/// </summary>
public sealed class PyKmipServer : IAsyncDisposable
{
    public const string Python = "/usr/bin/python3";
    public const string Script = "/usr/bin/pykmip-server";
    private readonly Process _process;

    private PyKmipServer(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    public string Address { get; }

    /// <summary>The server's config file (INI), as PyKMIP reads it.</summary>
    internal static string Config(int port, string cert, string key, string ca, string policies, string database) => $"""
        [server]
        hostname=127.0.0.1
        port={port}
        certificate_path={cert}
        key_path={key}
        ca_path={ca}
        auth_suite=TLS1.2
        enable_tls_client_auth=True
        policy_path={policies}
        database_path={database}
        logging_level=WARNING

        """;

    public static async Task<PyKmipServer> Start(string root, int port, ClusterUnderTest cluster, Func<string[], Task<string>> okv, TextWriter log, CancellationToken ct)
    {
        if (!File.Exists(Script))
        {
            throw new LabException($"{Script} is missing: install Debian's python3-pykmip (apt-get install -y python3-pykmip)");
        }

        root = Path.GetFullPath(root);
        var certs = Path.Combine(root, "cert");
        var policies = Path.Combine(root, "policies");
        Directory.CreateDirectory(certs);
        Directory.CreateDirectory(policies);
        var node1 = cluster.File.Nodes[0].Data;
        await okv(["issue", "--dir", node1, "--role", "endpoint", "--name", "pykmip", "--out", certs,
            "--passphrase-file", Path.Combine(cluster.Root, "pki", "recovery-passphrase")]);
        var conf = Path.Combine(root, "server.conf");
        await File.WriteAllTextAsync(conf, Config(port, Path.Combine(certs, "pykmip.pem"), Path.Combine(certs, "pykmip.key"),
            cluster.File.Pki.Ca, policies, Path.Combine(root, "pykmip.db")), ct);
        var process = OkvProcess.StartDetached(Python, [Script], ["-f", conf, "-l", Path.Combine(root, "server.log")], Path.Combine(root, "stdout.log"));
        log.WriteLine($"okv-lab: pykmip-server started (pid {process.Id}) on 127.0.0.1:{port}");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new LabException($"pykmip-server exited with {process.ExitCode}; see {Path.Combine(root, "server.log")}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port, ct);
                return new PyKmipServer(process, $"127.0.0.1:{port}");
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromMinutes(1))
            {
                await Task.Delay(200, ct);
            }
            catch (SocketException)
            {
                ClusterUnderTest.Kill9(process.Id);
                throw new LabException($"pykmip-server did not listen within 1 minute; see {Path.Combine(root, "server.log")}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            OkvProcess.Terminate(_process);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                ClusterUnderTest.Kill9(_process.Id);
            }
        }

        _process.Dispose();
    }
}
