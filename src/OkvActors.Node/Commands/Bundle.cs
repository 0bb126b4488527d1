using System.Text.Json;

namespace OkvActors.Node.Commands;

/// <summary>
/// What `okv admit` hands the candidate: its certificate, the cluster CA, and where the cluster is.
/// Nothing secret: the KEK comes later, at admission, wrapped to the candidate's key. The shard count is the
/// one the cluster was initialised with (null: the cluster predates it and uses the configured default).
/// </summary>
public sealed record Bundle(string Cluster, string Name, string Certificate, string Ca, IReadOnlyList<string> Seeds, int? ShardCount = null)
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static Bundle Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new Cli.CliError($"bundle {path} does not exist");
        }

        try
        {
            return JsonSerializer.Deserialize<Bundle>(File.ReadAllText(path), Options)
                ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new Cli.CliError($"{path} is not an admission bundle ({e.Message}); get one from `okv admit` on the controller");
        }
    }
}
