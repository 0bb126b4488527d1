using System.Text.Json;
using OkvActors.Cluster.Audit;
using Xunit;

namespace OkvActors.Cluster.Tests.Audit;

public sealed class AuditJsonLinesTests
{
    [Fact]
    public void Entries_round_trip_through_json_lines_and_still_verify()
    {
        var chain = AuditChainTests.Chain(4);
        var output = new StringWriter();

        AuditJsonLines.Write(chain, output);
        var back = AuditJsonLines.Read(new StringReader(output.ToString())).ToArray();

        Assert.Equal(chain, back);
        Assert.IsType<AuditChainValid>(AuditChain.Verify(back));
    }

    [Fact]
    public void One_line_per_entry_with_stable_camel_case_field_names_in_a_fixed_order()
    {
        var entry = AuditChainTests.Chain(3)[2];

        var line = AuditJsonLines.ToLine(entry);

        Assert.DoesNotContain('\n', line);
        Assert.StartsWith(
            """{"sequence":3,"time":"2025-03-01T12:30:18+00:00","node":"node1","who":"cn=endpoint1","operation":"Create","objectUid":"uid-0003","result":"item-not-found","detail":"no such object","previousHash":""",
            line,
            StringComparison.Ordinal);
        using var json = JsonDocument.Parse(line);
        Assert.Equal(
            ["sequence", "time", "node", "who", "operation", "objectUid", "result", "detail", "previousHash", "hash"],
            json.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Absent_object_and_detail_are_written_as_null_and_read_back_as_null()
    {
        var entry = AuditChainTests.Chain(1)[0] with { ObjectUid = null, Detail = null };

        var line = AuditJsonLines.ToLine(entry);

        Assert.Contains("\"objectUid\":null", line, StringComparison.Ordinal);
        Assert.Equal(entry, AuditJsonLines.FromLine(line));
    }

    [Fact]
    public void Blank_lines_are_skipped_and_a_bad_line_is_reported_by_number()
    {
        var line = AuditJsonLines.ToLine(AuditChainTests.Chain(1)[0]);

        Assert.Single(AuditJsonLines.Read(new StringReader($"\n{line}\n\n")));
        var error = Assert.Throws<FormatException>(() => AuditJsonLines.Read(new StringReader($"{line}\n{{not json\n")).ToArray());
        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }
}
