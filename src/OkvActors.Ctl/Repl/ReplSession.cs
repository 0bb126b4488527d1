using System.Text.Json.Nodes;
using OkvActors.Cluster.Control;

namespace OkvActors.Ctl.Repl;

/// <summary>
/// okvctl without a command: prompt <c>[HOST:PORT] okv&gt;</c>, one connection for the session
/// (re-opened if the node dropped it), history and Tab completion from the commands the node offers.
/// A streaming command (`cluster tail`) runs on a connection of its own until Ctrl-C.
/// </summary>
internal sealed class ReplSession(string target, OperatorIdentity identity, TimeSpan timeout, bool json, TextWriter stdout, TextWriter stderr)
{
    private IReadOnlyList<CommandInfo> _commands = ControlCatalog.Commands;
    private ManagementClient? _client;

    public async Task<int> RunAsync()
    {
        _client = await ManagementClient.ConnectAsync(target, identity, timeout);
        await LearnCommands();
        var history = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home
            ? Path.Combine(home, ".okvctl_history")
            : null;
        var editor = new LineEditor(Complete, history);
        stdout.WriteLine($"okvctl connected to {target}; `help` lists the commands, `exit` leaves.");
        try
        {
            while (editor.ReadLine($"[{target}] okv> ") is { } line)
            {
                line = line.Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                editor.Remember(line);
                if (line is "exit" or "quit")
                {
                    break;
                }

                await RunLine(line);
            }
        }
        finally
        {
            if (_client is not null)
            {
                await _client.DisposeAsync();
            }
        }

        return 0;
    }

    private async Task RunLine(string line)
    {
        try
        {
            var command = Okvctl.Prepare(CommandParser.Parse(CommandParser.Split(line), json));
            if (command.Request.Command == "cluster-tail")
            {
                await using var stream = await ManagementClient.ConnectAsync(target, identity, timeout);
                await Okvctl.ExecuteAsync(stream, command, stdout, stderr, CancellationToken.None);
                return;
            }

            _client ??= await ManagementClient.ConnectAsync(target, identity, timeout);
            try
            {
                await Okvctl.ExecuteAsync(_client, command, stdout, stderr, CancellationToken.None);
            }
            catch (CtlError)
            {
                // The node may have dropped an idle session: reconnect on the next command.
                await _client.DisposeAsync();
                _client = null;
                throw;
            }
        }
        catch (CtlError e)
        {
            stderr.WriteLine($"okvctl: {e.Message}");
        }
    }

    /// <summary>The node's own command list (its `help`), so completion offers what this node serves.</summary>
    private async Task LearnCommands()
    {
        try
        {
            var help = await _client!.SendAsync(new ControlRequest("help"));
            if (help.Ok && help.Data?["commands"] is JsonArray commands)
            {
                _commands = commands.OfType<JsonObject>().Select(c => new CommandInfo(
                    c["palette"]!.GetValue<string>(), c["verb"]?.GetValue<string>(), c["description"]?.GetValue<string>() ?? "",
                    c["switches"]!.AsArray().OfType<JsonObject>().Select(s => new CommandSwitch(s["name"]!.GetValue<string>(),
                        s["short"]?.GetValue<string>(), "", s["flag"]!.GetValue<bool>())).ToArray())).ToArray();
            }
        }
        catch (CtlError)
        {
            // Completion falls back to the commands okvctl itself knows.
        }
    }

    private IReadOnlyList<string> Complete(IReadOnlyList<string> words, string partial) => Candidates(_commands, words);

    /// <summary>What Tab may complete after <paramref name="words"/>: a palette, then its verbs, then the verb's switches.</summary>
    internal static IReadOnlyList<string> Candidates(IReadOnlyList<CommandInfo> commands, IReadOnlyList<string> words) => words.Count switch
    {
        0 => commands.Select(c => c.Palette).Append("exit").Distinct().ToArray(),
        1 => commands.Where(c => c.Palette == words[0] && c.Verb is not null).Select(c => c.Verb!).ToArray(),
        _ => commands.Where(c => c.Palette == words[0] && c.Verb == words[1]).SelectMany(c => c.Switches)
            .Select(s => "--" + s.Name).Append("--json").ToArray(),
    };
}
