using System.Text.Json;
using OkvActors.Cluster.Storage;

namespace OkvActors.Cluster.Audit;

/// <summary>
/// The chain head a restored node's audit log continues from (audit-anchor.json, written by `okv restore` from the
/// archive): its first entry has the next sequence number and links to the archived head's hash, so the restored
/// log and the archived one form one chain. A node that was never restored has none and starts at the genesis hash.
/// </summary>
public static class AuditAnchor
{
    public static AuditHead? Read(NodeDirectory directory) =>
        File.Exists(directory.AuditAnchorFile)
            ? JsonSerializer.Deserialize<AuditHead>(File.ReadAllText(directory.AuditAnchorFile))
              ?? throw new JsonException($"{directory.AuditAnchorFile} is empty")
            : null;

    public static void Write(NodeDirectory directory, AuditHead head) =>
        File.WriteAllText(directory.AuditAnchorFile, JsonSerializer.Serialize(head));
}
