using System.Text.Encodings.Web;
using System.Text.Json;

namespace OkvActors.Cluster.Audit;

/// <summary>
/// Audit entries as JSON lines: one compact JSON object per line, the field names fixed on
/// <see cref="AuditEntry"/>, so an export can be read back and verified anywhere
/// (<see cref="AuditChain.Verify(IEnumerable{AuditEntry})"/>) or fed to a log pipeline.
/// </summary>
public static class AuditJsonLines
{
    // Relaxed escaping keeps "+00:00" and non-ASCII names readable; the lines are never embedded in HTML.
    private static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    /// <summary>One entry as one line of JSON, without the line break.</summary>
    public static string ToLine(AuditEntry entry) => JsonSerializer.Serialize(entry, Options);

    /// <summary>Reads one line written by <see cref="ToLine"/>.</summary>
    public static AuditEntry FromLine(string line) =>
        JsonSerializer.Deserialize<AuditEntry>(line, Options) ?? throw new JsonException("an audit line is a JSON object, not null");

    /// <summary>Writes each entry as a line ending in '\n'.</summary>
    public static void Write(IEnumerable<AuditEntry> entries, TextWriter output)
    {
        foreach (var entry in entries)
        {
            output.Write(ToLine(entry));
            output.Write('\n');
        }
    }

    /// <summary>Reads entries lazily, skipping blank lines; a bad line throws with its line number.</summary>
    public static IEnumerable<AuditEntry> Read(TextReader input)
    {
        var number = 0;
        while (input.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            AuditEntry entry;
            try
            {
                entry = FromLine(line);
            }
            catch (JsonException e)
            {
                throw new FormatException($"audit line {number} is not an audit entry: {e.Message}", e);
            }

            yield return entry;
        }
    }
}
