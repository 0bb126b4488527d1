using System.Text.Json;
using OkvActors.Backup;
using OkvActors.Cluster.Audit;
using OkvActors.Cluster.Controller;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Serialization;

namespace OkvActors.Cluster.Backup;

/// <summary>Cluster settings as archived: what a restored cluster must keep to find its objects.</summary>
public sealed record ArchivedSettings(string Cluster, int ShardCount, string SoftwareVersion);

/// <summary>
/// How the node encodes each archive record: managed objects and the access registry with the codecs their
/// replication uses (wrapped material stays wrapped), the controller registry as genesis.json's JSON, the rest as JSON.
/// </summary>
public static class ArchiveRecords
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static byte[] Encode(ArchivedSettings settings) => JsonSerializer.SerializeToUtf8Bytes(settings, Json);

    public static byte[] Encode(ControllerState state) => JsonSerializer.SerializeToUtf8Bytes(state, GenesisJson.Options);

    public static byte[] Encode(AuditHead head) => JsonSerializer.SerializeToUtf8Bytes(head);

    public static ArchivedSettings Settings(BackupRecord record) => Read<ArchivedSettings>(record, BackupRecordKind.Settings, Json);

    public static ControllerState Registry(BackupRecord record) => Read<ControllerState>(record, BackupRecordKind.ControllerRegistry, GenesisJson.Options);

    public static AuditHead AuditHead(BackupRecord record) => Read<AuditHead>(record, BackupRecordKind.AuditHead, null);

    public static AccessRegistry Access(BackupRecord record) => AccessRegistryCodec.Decode(Expect(record, BackupRecordKind.AccessRegistry));

    public static ManagedObject Object(BackupRecord record) => ManagedObjectCodec.Decode(Expect(record, BackupRecordKind.ManagedObject));

    private static byte[] Expect(BackupRecord record, BackupRecordKind kind) =>
        record.Kind == kind ? record.Data : throw new ArgumentException($"a {record.Kind} record is not a {kind} record");

    private static T Read<T>(BackupRecord record, BackupRecordKind kind, JsonSerializerOptions? options) =>
        JsonSerializer.Deserialize<T>(Expect(record, kind), options) ?? throw new JsonException($"an empty {kind} record");
}

/// <summary>
/// Everything in an archive but the objects, gathered while reading it through (the objects are only counted):
/// what `okv restore` needs to build the new controller's directory. Each part appears once in a sound archive.
/// </summary>
public sealed class ArchiveSummary
{
    public ArchivedSettings? Settings { get; private set; }

    public ControllerState? Registry { get; private set; }

    public AccessRegistry? Access { get; private set; }

    public AuditHead? AuditHead { get; private set; }

    public string? CaCertificatePem { get; private set; }

    public long Objects { get; private set; }

    /// <summary>Reads every record (authenticating the whole archive) and keeps all but the objects.</summary>
    public static ArchiveSummary Read(BackupArchiveReader reader)
    {
        var summary = new ArchiveSummary();
        foreach (var record in reader.Records())
        {
            switch (record.Kind)
            {
                case BackupRecordKind.Settings:
                    summary.Settings = ArchiveRecords.Settings(record);
                    break;
                case BackupRecordKind.ControllerRegistry:
                    summary.Registry = ArchiveRecords.Registry(record);
                    break;
                case BackupRecordKind.AccessRegistry:
                    summary.Access = ArchiveRecords.Access(record);
                    break;
                case BackupRecordKind.AuditHead:
                    summary.AuditHead = ArchiveRecords.AuditHead(record);
                    break;
                case BackupRecordKind.CaCertificate:
                    summary.CaCertificatePem = System.Text.Encoding.UTF8.GetString(record.Data);
                    break;
                case BackupRecordKind.ManagedObject:
                    // Decoded to prove it reads; not kept.
                    ArchiveRecords.Object(record);
                    summary.Objects++;
                    break;
            }
        }

        return summary;
    }

    /// <summary>The parts a restore cannot do without; names the first one missing.</summary>
    public string? Missing() =>
        Settings is null ? "cluster settings"
        : Registry is null ? "controller registry"
        : Access is null ? "access registry"
        : AuditHead is null ? "audit chain head"
        : CaCertificatePem is null ? "CA certificate"
        : null;
}
