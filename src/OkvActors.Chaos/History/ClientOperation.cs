using System.Text.Json;
using System.Text.Json.Serialization;

namespace OkvActors.Chaos.History;

/// <summary>What a client asked for. Inspect reads one object's state from a node's own replica (the in-process client via the control socket).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OpKind>))]
public enum OpKind
{
    Create,
    Register,
    Get,
    Locate,
    Activate,
    Revoke,
    Destroy,
    ReKey,
    EncryptDecrypt,
    AddAttribute,
    Inspect,
}

/// <summary>
/// Ok: the server acknowledged it. Failed: the server refused it, or it never left the client (no connection), so it
/// did not happen. Unknown: sent, but no answer came (timeout, connection lost): it may or may not have happened.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<Outcome>))]
public enum Outcome
{
    Ok,
    Failed,
    Unknown,
}

/// <summary>
/// One client operation as the history records it. Times are seconds since the run started. <see cref="Uid"/> is the
/// object acted on; <see cref="Result"/> what came back (the new UID of a create, register or re-key, the SHA-256 of
/// material read by Get, the state an Inspect saw, the count a Locate found). <see cref="Args"/> never holds key
/// material, only its SHA-256. <see cref="Restricted"/>: the refusal named the node's restricted mode.
/// </summary>
public sealed record ClientOperation(
    long Id,
    int Client,
    string Node,
    OpKind Kind,
    string? Uid,
    string? Args,
    double Start,
    double End,
    Outcome Outcome,
    string? Result = null,
    string? Error = null,
    bool Restricted = false)
{
    /// <summary>An acknowledged create, register or re-key: the object it returned must survive everything.</summary>
    public bool CreatedObject => Outcome == Outcome.Ok && Kind is OpKind.Create or OpKind.Register or OpKind.ReKey && Result is not null;

    public override string ToString() =>
        $"#{Id} c{Client} {Node} {Kind} {Uid ?? "-"} [{Start:F2}s..{End:F2}s] {Outcome}{(Result is null ? "" : $" -> {Result}")}{(Error is null ? "" : $" ({Error})")}";
}

/// <summary>The history of a run, thread-safe while it is written, and as JSON lines once it is done.</summary>
public sealed class OperationLog
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private readonly List<ClientOperation> _operations = [];
    private long _next;

    public long NextId() => Interlocked.Increment(ref _next);

    public void Add(ClientOperation operation)
    {
        lock (_operations)
        {
            _operations.Add(operation);
        }
    }

    public IReadOnlyList<ClientOperation> Snapshot()
    {
        lock (_operations)
        {
            return _operations.OrderBy(o => o.Start).ThenBy(o => o.Id).ToArray();
        }
    }

    public static void WriteJsonLines(IEnumerable<ClientOperation> operations, string path) =>
        File.WriteAllLines(path, operations.Select(o => JsonSerializer.Serialize(o, Json)));

    public static IReadOnlyList<ClientOperation> ReadJsonLines(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<ClientOperation>(l, Json)!).ToArray();
}
