using System.Text.RegularExpressions;
using OkvActors.Cluster.Control;

namespace OkvActors.Ctl;

/// <summary>Where okvctl connects and with which operator identity.</summary>
public sealed record CtlConnection(string? Target, string? Ca, string? Cert, string? Key, string? ClusterFile, TimeSpan Timeout);

/// <summary>
/// okvctl's command line: <c>okvctl [HOST:PORT] [--ca F --cert F --key F | --cluster DIR/cluster.json]
/// [--json] [--timeout S] [palette [verb] [switches]]</c>. Global options may stand anywhere; the
/// first word that is not one starts the command, as in petabridge.cmd.
/// </summary>
public sealed partial record CtlArguments(CtlConnection Connection, bool Json, IReadOnlyList<string> Words)
{
    private static readonly HashSet<string> ValueOptions = ["--ca", "--cert", "--key", "--cluster", "--timeout"];

    [GeneratedRegex(@"^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.\-]+):\d{1,5}$")]
    private static partial Regex HostPort();

    public static bool IsHostPort(string text) => HostPort().IsMatch(text);

    public static CtlArguments Parse(IReadOnlyList<string> args)
    {
        var options = new Dictionary<string, string>();
        var json = false;
        string? target = null;
        var words = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var (name, inline) = arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=') is > 2 and var eq
                ? (arg[..eq], arg[(eq + 1)..])
                : (arg, null);
            if (ValueOptions.Contains(name))
            {
                var value = inline ?? (i + 1 < args.Count ? args[++i] : throw new CtlError($"{name} needs a value", CtlError.Usage));
                options[name] = value;
            }
            else if (arg == "--json")
            {
                json = true;
            }
            else if (target is null && words.Count == 0 && IsHostPort(arg))
            {
                target = arg;
            }
            else
            {
                words.Add(arg);
            }
        }

        var timeout = TimeSpan.FromSeconds(30);
        if (options.TryGetValue("--timeout", out var seconds))
        {
            timeout = double.TryParse(seconds, System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0
                ? TimeSpan.FromSeconds(s)
                : throw new CtlError($"--timeout must be a number of seconds, not '{seconds}'", CtlError.Usage);
        }

        var cert = options.GetValueOrDefault("--cert");
        var key = options.GetValueOrDefault("--key");
        var cluster = options.GetValueOrDefault("--cluster");
        if ((cert is null) != (key is null))
        {
            throw new CtlError("--cert and --key go together (the operator certificate and its private key)", CtlError.Usage);
        }

        if (cluster is null && cert is null)
        {
            throw new CtlError("no operator identity: give --ca, --cert and --key, or --cluster DIR/cluster.json", CtlError.Usage);
        }

        if (cluster is null && options.GetValueOrDefault("--ca") is null)
        {
            throw new CtlError("--ca (the cluster CA certificate) is needed to check the node's certificate", CtlError.Usage);
        }

        if (target is null && cluster is null)
        {
            throw new CtlError("which node? give HOST:PORT (its management address) or --cluster DIR/cluster.json", CtlError.Usage);
        }

        return new CtlArguments(new CtlConnection(target, options.GetValueOrDefault("--ca"), cert, key, cluster, timeout), json, words);
    }
}

/// <summary>One command typed by an operator, as the request the node receives.</summary>
public sealed record CtlCommand(ControlRequest Request, bool Json, CommandInfo? Info);

/// <summary>Turns "palette verb switches" into a control request (the node's command "palette-verb").</summary>
public static class CommandParser
{
    /// <summary>Short switches, petabridge.cmd-style, for the long names the node's commands use.</summary>
    private static readonly IReadOnlyDictionary<string, string> ShortNames = ControlCatalog.Commands
        .SelectMany(c => c.Switches).Where(s => s.Short is not null)
        .GroupBy(s => s.Short!).ToDictionary(g => g.Key, g => g.First().Name);

    public static CtlCommand Parse(IReadOnlyList<string> words, bool json = false)
    {
        if (words.Count == 0)
        {
            throw new CtlError("no command (try `help`)", CtlError.Usage);
        }

        var palette = words[0];
        if (palette.StartsWith('-'))
        {
            throw new CtlError($"unknown option '{palette}' (a command starts with a palette: cluster, node, keys, ...; try `help`)", CtlError.Usage);
        }

        var rest = 1;
        string? verb = null;
        if (words.Count > 1 && !words[1].StartsWith('-'))
        {
            verb = words[1];
            rest = 2;
        }

        var info = ControlCatalog.Commands.FirstOrDefault(c => c.Palette == palette && c.Verb == verb);
        if (info is null && verb is not null && ControlCatalog.Commands.Any(c => c.Palette == palette && c.Verb is null))
        {
            throw new CtlError($"'{palette}' takes no verb (got '{verb}')", CtlError.Usage);
        }

        if (info is null && ControlCatalog.Commands.Any(c => c.Palette == palette) && verb is null)
        {
            var verbs = ControlCatalog.Commands.Where(c => c.Palette == palette).Select(c => c.Verb);
            throw new CtlError($"'{palette}' needs a verb: {string.Join(", ", verbs)}", CtlError.Usage);
        }

        var args = new Dictionary<string, string>();
        for (var i = rest; i < words.Count; i++)
        {
            var word = words[i];
            if (word == "--json")
            {
                json = true;
                continue;
            }

            string name;
            if (word.StartsWith("--", StringComparison.Ordinal) && word.Length > 2)
            {
                name = word[2..];
            }
            else if (word.StartsWith('-') && word.Length > 1)
            {
                name = ShortNames.TryGetValue(word[1..], out var full)
                    ? full
                    : throw new CtlError($"unknown switch '{word}'", CtlError.Usage);
            }
            else
            {
                throw new CtlError($"unexpected '{word}': values follow a switch (e.g. -a ADDRESS)", CtlError.Usage);
            }

            var declared = info?.Switches.FirstOrDefault(s => s.Name == name);
            if (info is not null && declared is null)
            {
                throw new CtlError($"'{palette} {verb}' has no switch --{name}{SwitchList(info)}", CtlError.Usage);
            }

            var eq = name.IndexOf('=');
            if (eq > 0)
            {
                args[name[..eq]] = name[(eq + 1)..];
            }
            else if (declared?.Flag == true || i + 1 >= words.Count || words[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                args[name] = declared?.Flag == false
                    ? throw new CtlError($"--{name} needs a value", CtlError.Usage)
                    : "true";
            }
            else
            {
                args[name] = words[++i];
            }
        }

        foreach (var required in info?.Switches.Where(s => s.Required) ?? [])
        {
            if (!args.ContainsKey(required.Name))
            {
                throw new CtlError($"'{info!.Palette} {info.Verb}' needs {Describe(required)}", CtlError.Usage);
            }
        }

        var command = verb is null ? palette : $"{palette}-{verb}";
        return new CtlCommand(new ControlRequest(command, args.Count == 0 ? null : args), json, info);
    }

    private static string Describe(CommandSwitch s) => s.Short is null ? $"--{s.Name}" : $"-{s.Short}/--{s.Name} ({s.Description})";

    private static string SwitchList(CommandInfo info) =>
        info.Switches.Count == 0 ? " (it takes none)" : $" (it takes {string.Join(", ", info.Switches.Select(s => "--" + s.Name))})";

    /// <summary>Splits a REPL line into words: whitespace separates, double or single quotes group.</summary>
    public static IReadOnlyList<string> Split(string line)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        char? quote = null;
        var inWord = false;
        foreach (var ch in line)
        {
            if (quote is not null)
            {
                if (ch == quote)
                {
                    quote = null;
                }
                else
                {
                    current.Append(ch);
                }
            }
            else if (ch is '"' or '\'')
            {
                quote = ch;
                inWord = true;
            }
            else if (char.IsWhiteSpace(ch))
            {
                if (inWord)
                {
                    words.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }
            }
            else
            {
                current.Append(ch);
                inWord = true;
            }
        }

        if (quote is not null)
        {
            throw new CtlError("unclosed quote", CtlError.Usage);
        }

        if (inWord)
        {
            words.Add(current.ToString());
        }

        return words;
    }
}
