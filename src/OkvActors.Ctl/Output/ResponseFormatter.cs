using System.Text.Json;
using System.Text.Json.Nodes;
using OkvActors.Cluster.Control;

namespace OkvActors.Ctl.Output;

/// <summary>
/// Renders a node's answer for people (aligned tables, colour on a terminal) or for scripts (--json:
/// the answer's data, indented). Commands without a table of their own print their sentence and fields.
/// </summary>
public static class ResponseFormatter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Write(TextWriter output, string command, ControlResponse response, bool json, bool colour)
    {
        if (json)
        {
            output.WriteLine((response.Data ?? new JsonObject()).ToJsonString(Indented));
            return;
        }

        var data = response.Data as JsonObject;
        switch (command)
        {
            case "cluster-show" when data is not null:
                ClusterShow(output, data, colour);
                output.WriteLine(response.Message);
                return;
            case "node-list" when data is not null:
                Rows(output, data["nodes"], colour, ("NAME", "name"), ("STATE", "state"), ("SUBGROUP", "subgroup"), ("VERSION", "version"),
                    ("FINGERPRINT", "fingerprint"), ("ADDRESS", "address"));
                break;
            case "shards-show" when data is not null && Field(data, "differences") is not null:
                ShardsCompared(output, data, colour);
                break;
            case "shards-show" or "shards" when data is not null:
                Rows(output, data["shards"], colour, ("SHARD", "key"), ("OBJECTS", "objects"), ("DIGEST", "digest"));
                break;
            case "replication-lag" when data is not null:
                Rows(output, data["links"], colour, ("NODE", "node"), ("ADDRESS", "address"), ("REACHABLE", "reachable"),
                    ("ROUND TRIP ms", "roundTripMs"), ("REPLICATION ms", "replicationMs"));
                break;
            case "conflicts-list" or "conflicts" when data is not null:
                Rows(output, data["conflicts"], colour, ("NAME", "name"), ("UIDS", "uids"));
                break;
            case "log-peek" when Field(data, "lines") is JsonArray lines:
                foreach (var line in lines.OfType<JsonObject>())
                {
                    var level = Text(line["level"]);
                    output.WriteLine($"{Text(line["timestamp"])} {Colour.Apply(level.PadRight(7), LevelPaint(level), colour)} [{Text(line["source"])}] {Text(line["message"])}");
                }

                return;
            case "actor-hierarchy" when Field(data, "actors") is JsonArray actors:
                foreach (var actor in actors.OfType<JsonObject>())
                {
                    var depth = actor["depth"]!.GetValue<int>();
                    var path = Text(actor["path"]);
                    output.WriteLine(depth == 0 ? path : new string(' ', depth * 2) + path[(path.LastIndexOf('/') + 1)..]);
                }

                break;
            case "keys-stats" when data is not null:
                output.WriteLine($"Objects: {Text(data["objects"])}");
                foreach (var (section, title) in new[] { ("byType", "TYPE"), ("byState", "STATE"), ("byWallet", "WALLET") })
                {
                    if (data[section] is JsonObject counts && counts.Count > 0)
                    {
                        var table = new Table(title, "OBJECTS");
                        foreach (var (key, value) in counts)
                        {
                            table.Add(key, Text(value));
                        }

                        table.Write(output, colour);
                    }
                }

                return;
            case "help" when Field(data, "commands") is JsonArray commands:
                var help = new Table("COMMAND", "SWITCHES", "DESCRIPTION");
                foreach (var c in commands.OfType<JsonObject>())
                {
                    var switches = c["switches"]!.AsArray().OfType<JsonObject>().Select(s =>
                        (s["short"] is { } sh ? $"-{sh}|" : "") + $"--{Text(s["name"])}" + (s["flag"]!.GetValue<bool>() ? "" : " X"));
                    help.Add($"{Text(c["palette"])} {Text(c["verb"])}".Trim(), string.Join(" ", switches), Text(c["description"]));
                }

                help.Write(output, colour);
                return;
            case "backup-status" when data is not null:
                var lastBackup = data["last"] as JsonObject;
                var backupFailed = lastBackup is not null && Text(lastBackup["result"]) != "ok";
                output.WriteLine(Colour.Apply(response.Message, backupFailed ? Paint.Bad : Paint.Good, colour));
                Fields(output, lastBackup);
                return;
            case "mode" when data is not null:
                var restricted = Text(data["mode"]) == "restricted";
                output.WriteLine($"{Colour.Apply(Text(data["mode"]), restricted ? Paint.Warn : Paint.Good, colour)}: {Text(data["reason"])}");
                return;
            default:
                output.WriteLine(response.Message);
                Fields(output, data);
                return;
        }

        output.WriteLine(response.Message);
    }

    private static void ClusterShow(TextWriter output, JsonObject data, bool colour)
    {
        var table = new Table("ADDRESS", "ROLES", "STATUS", "REACHABILITY");
        foreach (var m in (data["members"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var status = Text(m["status"]);
            var reachability = Text(m["reachability"]);
            table.Add((Text(m["address"]), Paint.None), ($"[{string.Join(",", m["roles"]!.AsArray().Select(Text))}]", Paint.None),
                (status, status == "Up" ? Paint.Good : Paint.Warn), (reachability, reachability == "Reachable" ? Paint.None : Paint.Bad));
        }

        table.Write(output, colour);
    }

    private static void ShardsCompared(TextWriter output, JsonObject data, bool colour)
    {
        var nodes = data["nodes"]!.AsArray().Select(Text).ToArray();
        var table = new Table(["SHARD", .. nodes, "SAME"]);
        foreach (var shard in data["shards"]!.AsArray().OfType<JsonObject>())
        {
            var differs = shard["differs"]!.GetValue<bool>();
            var cells = new List<(string, Paint)> { (Text(shard["key"]), Paint.None) };
            cells.AddRange(nodes.Select(n => (Short(Text(shard["digests"]![n])) + $" ({Text(shard["objects"]![n])})", differs ? Paint.Bad : Paint.None)));
            cells.Add((differs ? "DIFFERS" : "yes", differs ? Paint.Bad : Paint.Good));
            table.Add(cells.ToArray());
        }

        table.Write(output, colour);
        if (data["unanswered"] is JsonArray { Count: > 0 } silent)
        {
            output.WriteLine($"No answer from: {string.Join(", ", silent.Select(Text))}");
        }
    }

    private static void Rows(TextWriter output, JsonNode? rows, bool colour, params (string Header, string Field)[] columns)
    {
        var table = new Table(columns.Select(c => c.Header).ToArray());
        foreach (var row in (rows as JsonArray ?? []).OfType<JsonObject>())
        {
            table.Add(columns.Select(c => (Cell(c.Field, row[c.Field]), PaintOf(c.Field, row[c.Field]))).ToArray());
        }

        table.Write(output, colour);
    }

    private static string Cell(string field, JsonNode? value) => field switch
    {
        "fingerprint" or "digest" => Short(Text(value)),
        _ => Text(value),
    };

    private static Paint PaintOf(string field, JsonNode? value) => (field, Text(value)) switch
    {
        ("state", "Active") or ("reachable", "true") => Output.Paint.Good,
        ("state", "Disabled" or "Candidate") => Output.Paint.Warn,
        ("state", "Removed" or "ForceRemoved") or ("reachable", "false") => Output.Paint.Bad,
        ("replicationMs", "-") => Output.Paint.Bad,
        _ => Output.Paint.None,
    };

    private static Paint LevelPaint(string level) => level switch
    {
        "ERROR" => Output.Paint.Bad,
        "WARNING" => Output.Paint.Warn,
        _ => Output.Paint.None,
    };

    private static JsonNode? Field(JsonObject? data, string name) => data is null ? null : data[name];

    private static string Short(string text) => text.Length > 16 ? text[..16] : text;

    /// <summary>A JSON value as a table cell: strings bare, arrays comma-separated, null as "-".</summary>
    public static string Text(JsonNode? value) => value switch
    {
        null => "-",
        JsonArray array => string.Join(",", array.Select(Text)),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => value.ToJsonString(),
    };

    private static void Fields(TextWriter output, JsonObject? data)
    {
        foreach (var (field, value) in data ?? [])
        {
            output.WriteLine($"  {field,-14} {Text(value)}");
        }
    }
}
