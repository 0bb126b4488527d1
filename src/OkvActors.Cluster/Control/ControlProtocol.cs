using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace OkvActors.Cluster.Control;

/// <summary>
/// One request on the local control socket: a command name and its arguments. The socket lives in the
/// node's data directory with owner-only permissions, so whoever may read the node's keys may administer it.
/// </summary>
public sealed record ControlRequest(string Command, Dictionary<string, string>? Args = null)
{
    public string Arg(string name) =>
        Optional(name) ?? throw new ControlException($"missing argument '{name}'");

    public string? Optional(string name) => Args is not null && Args.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// The answer: whether it happened, a sentence for people, and data for scripts. A streaming command
/// (`cluster tail`) answers with many of these, each marked <see cref="More"/> but the last; the field
/// is left out of single answers so their JSON stays what it always was.
/// </summary>
public sealed record ControlResponse(bool Ok, string Message, JsonNode? Data = null)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool More { get; init; }

    public static ControlResponse Done(string message, JsonNode? data = null) => new(true, message, data);

    public static ControlResponse Refused(string message) => new(false, message);

    /// <summary>One item of a stream: more follow.</summary>
    public static ControlResponse Event(string message, JsonNode? data = null) => new(true, message, data) { More = true };
}

public sealed class ControlException(string message) : Exception(message);

public static class ControlJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        WriteIndented = false,
    };

    public static JsonNode? ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, Options);
}
