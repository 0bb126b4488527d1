using System.Text.Json;
using System.Text.Json.Nodes;
using OkvActors.Cluster.Control;
using OkvActors.Ctl.Output;
using OkvActors.Ctl.Repl;
using OkvActors.Pki.Certificates;

namespace OkvActors.Ctl;

/// <summary>
/// okvctl: one command against a node's management listener, or (without a command) a REPL on one
/// connection. Exit 0 on success; on failure one line on stderr and 1 (the node refused or could not be
/// reached) or 2 (the command line was wrong, nothing was sent).
/// </summary>
public static class Okvctl
{
    /// <summary>Commands that wait on other nodes: a terminal shows that something is happening.</summary>
    private static readonly HashSet<string> Waiting = ["replication-lag", "shards-show"];

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            if (args.Length == 0 || args is ["--help" or "-h"])
            {
                stdout.WriteLine("usage: okvctl HOST:PORT [--ca CA.pem --cert OPERATOR.pem --key OPERATOR.key | --cluster DIR/cluster.json] [--json] [--timeout S] [PALETTE VERB [SWITCHES]]");
                stdout.WriteLine("       without a command: a REPL; `help` lists the commands the node offers");
                return args.Length == 0 ? CtlError.Usage : 0;
            }

            var parsed = CtlArguments.Parse(args);
            var (target, identity) = Resolve(parsed.Connection);
            using (identity)
            {
                if (parsed.Words.Count == 0)
                {
                    return await new ReplSession(target, identity, parsed.Connection.Timeout, parsed.Json, stdout, stderr).RunAsync();
                }

                var command = Prepare(CommandParser.Parse(parsed.Words, parsed.Json));
                await using var client = await ManagementClient.ConnectAsync(target, identity, parsed.Connection.Timeout);
                return await ExecuteAsync(client, command, stdout, stderr, CancellationToken.None);
            }
        }
        catch (CtlError e)
        {
            stderr.WriteLine($"okvctl: {e.Message}");
            return e.ExitCode;
        }
    }

    /// <summary>The node to talk to and the operator identity, from the switches or DIR/cluster.json.</summary>
    internal static (string Target, OperatorIdentity Identity) Resolve(CtlConnection connection)
    {
        if (connection.ClusterFile is null)
        {
            return (connection.Target!, OperatorIdentity.Load(connection.Ca!, connection.Cert!, connection.Key!));
        }

        var path = Path.GetFullPath(connection.ClusterFile);
        if (!File.Exists(path))
        {
            throw new CtlError($"{path} does not exist (`okv up --dir DIR` writes DIR/cluster.json)");
        }

        JsonNode cluster;
        try
        {
            cluster = JsonNode.Parse(File.ReadAllText(path)) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new CtlError($"{path} is not a cluster.json: {e.Message}");
        }

        var dir = Path.GetDirectoryName(path)!;
        string Field(JsonNode? node, string what) => node?.GetValue<string>() is { Length: > 0 } value
            ? Path.GetFullPath(value, dir)
            : throw new CtlError($"{path} has no {what}");
        var target = connection.Target
            ?? cluster["nodes"]?.AsArray().FirstOrDefault()?["management"]?.GetValue<string>()
            ?? throw new CtlError($"{path} lists no node with a management address");
        return (target, OperatorIdentity.Load(
            connection.Ca ?? Field(cluster["pki"]?["ca"], "pki.ca"),
            connection.Cert ?? Field(cluster["pki"]?["operator"]?["cert"], "pki.operator.cert"),
            connection.Key ?? Field(cluster["pki"]?["operator"]?["key"], "pki.operator.key")));
    }

    /// <summary>
    /// Work done on the operator's side before sending: `node approve` reads the candidate's CSR so the
    /// node receives its name and key, and refuses a CSR whose fingerprint is not the one given.
    /// </summary>
    internal static CtlCommand Prepare(CtlCommand command)
    {
        if (command.Request.Command != "node-approve")
        {
            return command;
        }

        var csrPath = command.Request.Arg("csr");
        if (!File.Exists(csrPath))
        {
            throw new CtlError($"CSR file {csrPath} does not exist");
        }

        SigningRequest csr;
        try
        {
            csr = SigningRequest.Parse(File.ReadAllText(csrPath));
        }
        catch (Exception e) when (e is PkiException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new CtlError($"{csrPath} is not a candidate's CSR: {e.Message}");
        }

        var given = Fingerprint.Normalize(command.Request.Arg("fingerprint"));
        if (csr.Fingerprint != given)
        {
            throw new CtlError($"the CSR's fingerprint is {csr.Fingerprint}, not the {given} you were given: do not approve it");
        }

        return command with
        {
            Request = new ControlRequest("node-approve", new Dictionary<string, string>
            {
                ["name"] = csr.Name,
                ["fingerprint"] = csr.Fingerprint,
                ["publicKeyInfo"] = Convert.ToBase64String(csr.PublicKey.ExportSubjectPublicKeyInfo()),
            }),
        };
    }

    /// <summary>Runs one command on an open connection and prints its answer; the exit code.</summary>
    internal static async Task<int> ExecuteAsync(ManagementClient client, CtlCommand command, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken)
    {
        var colour = Colour.ForStdout && ReferenceEquals(stdout, Console.Out);
        if (command.Request.Command == "cluster-tail")
        {
            return await TailAsync(client, command, stdout, stderr, colour, cancellationToken);
        }

        ControlResponse response;
        using (Progress.Show(stderr, Waiting.Contains(command.Request.Command) ? $"waiting for {command.Request.Command} on every member" : null))
        {
            response = await client.SendAsync(command.Request, cancellationToken);
        }

        if (!response.Ok)
        {
            stderr.WriteLine($"okvctl: {response.Message}");
            return CtlError.Failed;
        }

        ResponseFormatter.Write(stdout, command.Request.Command, response, command.Json, colour);
        return 0;
    }

    private static async Task<int> TailAsync(ManagementClient client, CtlCommand command, TextWriter stdout, TextWriter stderr, bool colour,
        CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCtrlC = (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        Console.CancelKeyPress += onCtrlC;
        try
        {
            await foreach (var item in client.StreamAsync(command.Request, stop.Token))
            {
                if (!item.Ok)
                {
                    stderr.WriteLine($"okvctl: {item.Message}");
                    return CtlError.Failed;
                }

                stdout.WriteLine(command.Json ? item.Data?.ToJsonString() ?? "{}" : Colour.Apply(item.Message, Paint.None, colour));
                stdout.Flush();
            }

            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
        }
    }
}

/// <summary>A spinner on stderr while a command waits, only when stderr is a terminal.</summary>
internal sealed class Progress : IDisposable
{
    private readonly Timer? _timer;
    private readonly TextWriter _output;
    private int _tick;

    private Progress(TextWriter output, string what)
    {
        _output = output;
        _timer = new Timer(_ => _output.Write($"\r{"|/-\\"[_tick++ % 4]} {what}…"), null, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(150));
    }

    private Progress(TextWriter output) => _output = output;

    public static Progress Show(TextWriter output, string? what) =>
        what is not null && !Console.IsErrorRedirected && ReferenceEquals(output, Console.Error) ? new Progress(output, what) : new Progress(output);

    public void Dispose()
    {
        if (_timer is null)
        {
            return;
        }

        _timer.Dispose();
        _output.Write("\r\u001b[K");
    }
}
