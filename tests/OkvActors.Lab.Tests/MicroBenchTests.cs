using System.Text.RegularExpressions;
using OkvActors.Lab.Report;
using OkvActors.Lab.Scenarios;
using Xunit;

namespace OkvActors.Lab.Tests;

public class MicroBenchTests
{
    /// <summary>Real output: BenchmarkDotNet 0.15.8 brief JSON reports (trimmed) and pykmip_codec_bench.py on this machine.</summary>
    internal static string Data(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Data", name));

    [Fact]
    public void A_benchmark_report_gives_each_benchmark_its_area_system_size_mean_error_and_allocations()
    {
        var rows = MicroBench.ParseReport(Data("micro-stock-shard-report-brief.json"));

        Assert.Equal(8, rows.Count);
        Assert.All(rows, r => Assert.Equal((MicroAreas.Crdt, MicroAreas.StockDictionary, (string?)null), (r.Area, r.System, r.Failure)));
        var merge = Assert.Single(rows, r => r.Operation == "MergeDelta (1 new object)" && r.Parameter == "4000 objects");
        Assert.Equal(6282245.208984375, merge.MeanNs);
        Assert.Equal(603215.2264750429, merge.ErrorNs);
        Assert.Equal(315493.22733382665, merge.StdDevNs);
        Assert.Equal(4096416, merge.AllocatedBytes);
        Assert.Equal(["Digest after a change", "Merge (full state of 1 object)", "MergeDelta (1 new object)", "Put (local write)"],
            rows.Select(r => r.Operation).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_kmip_suites_codec_benchmark_is_the_ttlv_codec_and_allocation_free_encoding_reads_as_zero_bytes()
    {
        var rows = MicroBench.ParseReport(Data("micro-kmip-codec-report-brief.json"));

        Assert.Equal(4, rows.Count);
        var encode = Assert.Single(rows, r => r.Operation == "Encode Get response" && r.Parameter == "batch 10");
        Assert.Equal((MicroAreas.Codec, Systems.Okv, 893.6283267736435, 0L), (encode.Area, encode.System, encode.MeanNs!.Value, encode.AllocatedBytes!.Value));
        Assert.Equal(1576, Assert.Single(rows, r => r.Operation == "Decode Get request" && r.Parameter == "batch 1").AllocatedBytes);
    }

    [Fact]
    public void A_benchmark_without_statistics_failed_and_has_no_figures()
    {
        var row = Assert.Single(MicroBench.ParseReport(Data("micro-failed-report-brief.json")));

        Assert.Equal((MicroAreas.KeyWrap, MicroAreas.AesKeyWrap, "Wrap", "32-byte key"), (row.Area, row.System, row.Operation, row.Parameter));
        Assert.Null(row.MeanNs);
        Assert.Null(row.AllocatedBytes);
        Assert.StartsWith("failed:", row.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Benchmarks_of_other_classes_are_left_out_even_where_a_class_name_repeats_in_another_suite()
    {
        // OkvActors.Benchmarks has its own CodecBenchmarks (the object codec): not the TTLV codec.
        const string Json = """
            {"Benchmarks":[{"Namespace":"OkvActors.Benchmarks","Type":"CodecBenchmarks","Method":"Encode","MethodTitle":"Encode","Parameters":"",
              "Statistics":{"Mean":10.0,"StandardDeviation":1.0,"ConfidenceInterval":{"Margin":2.0}},"Memory":{"BytesAllocatedPerOperation":24}}]}
            """;

        Assert.Empty(MicroBench.ParseReport(Json));
    }

    [Fact]
    public void The_pykmip_script_gives_decode_and_encode_without_allocations()
    {
        var rows = MicroBench.ParsePyKmip(Data("micro-pykmip-batch10.json"), 10);

        Assert.Equal(2, rows.Count);
        var decode = Assert.Single(rows, r => r.Operation == "Decode Get request");
        Assert.Equal((MicroAreas.Codec, MicroAreas.PyKmipCodec, "batch 10", 357397.48649256665, 2050.821903518103),
            (decode.Area, decode.System, decode.Parameter, decode.MeanNs!.Value, decode.StdDevNs!.Value));
        Assert.Equal(376891.5162904055, Assert.Single(rows, r => r.Operation == "Encode Get response").MeanNs);
        Assert.All(rows, r => Assert.Null(r.AllocatedBytes));
        Assert.All(rows, r => Assert.Null(r.ErrorNs));
        Assert.All(rows, r => Assert.Null(r.Failure));
    }

    [Theory]
    [InlineData("micro-pykmip-missing.json", 1, "not run: PyKMIP is not installed")]
    [InlineData("micro-pykmip-wrong-batch.json", 10, "failed: the request decoded to 1 batch items, expected 10")]
    [InlineData("micro-pykmip-batch10.json", 1, "failed: the script measured batch 10, not 1")]
    public void A_pykmip_run_that_could_not_measure_what_was_asked_has_no_figures(string data, int batch, string failure)
    {
        var rows = MicroBench.ParsePyKmip(Data(data), batch);

        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Null(r.MeanNs));
        Assert.All(rows, r => Assert.StartsWith(failure, r.Failure, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_expected_row_is_reported_and_one_no_run_produced_says_why()
    {
        var measured = MicroBench.ParseReport(Data("micro-kmip-codec-report-brief.json"))
            .Concat(MicroBench.ParseReport(Data("micro-stock-shard-report-brief.json"))).ToList();
        var failures = new Dictionary<string, string> { ["PyKMIP"] = "python3: No such file or directory" };

        var rows = MicroBench.Complete(measured, failures);

        // 2 operations × 2 batch sizes, 2 key wrap operations, 4 shard operations × 2 sizes; each for ours and the peer.
        Assert.Equal(2 * (4 + 2 + 8), rows.Count);
        Assert.Equal(12, rows.Count(r => r.MeanNs is not null));
        Assert.All(rows.Where(r => r.System == MicroAreas.PyKmipCodec), r => Assert.Equal("not run: python3: No such file or directory", r.Failure));
        Assert.Equal("not run: OkvActors.Benchmarks did not report it",
            Assert.Single(rows, r => r.System == Systems.Okv && r.Operation == "Put (local write)" && r.Parameter == "250 objects").Failure);
        Assert.Equal([MicroAreas.Codec, MicroAreas.KeyWrap, MicroAreas.Crdt], rows.Select(r => r.Area).Distinct());
    }

    [Fact]
    public void The_filters_select_exactly_the_sizes_the_lab_reports_as_benchmarkdotnet_matches_them()
    {
        var okv = MicroBench.Filters("OkvActors.Benchmarks");
        var kmip = MicroBench.Filters("OkvActors.Kmip.Benchmarks");

        Assert.True(Selected(okv, "OkvActors.Benchmarks.KeyShardBenchmarks.MergeDelta(Size: 250)"));
        Assert.True(Selected(okv, "OkvActors.Benchmarks.StockShardBenchmarks.DigestAfterChange(Size: 4000)"));
        Assert.False(Selected(okv, "OkvActors.Benchmarks.KeyShardBenchmarks.MergeDelta(Size: 1000)"));
        Assert.True(Selected(okv, "OkvActors.Benchmarks.AesKeyWrapBenchmarks.Unwrap"));
        Assert.False(Selected(okv, "OkvActors.Benchmarks.VaultBenchmarks.Create(Durable: True)"));
        Assert.False(Selected(okv, "OkvActors.Benchmarks.CodecBenchmarks.Encode"));
        Assert.True(Selected(kmip, "OkvActors.Kmip.Benchmarks.CodecBenchmarks.EncodeResponse(BatchSize: 10)"));
        Assert.False(Selected(kmip, "OkvActors.Kmip.Benchmarks.CodecBenchmarks.Scan(BatchSize: 1)"));
    }

    [Fact]
    public void The_command_line_imposes_the_short_job_counts_as_modifiers_and_never_adds_a_job()
    {
        var args = MicroBench.Arguments("OkvActors.Kmip.Benchmarks", "/tmp/art");

        Assert.Equal("--filter", args[0]);
        Assert.DoesNotContain("--job", args);
        Assert.DoesNotContain("--inProcess", args);
        Assert.Equal(["--launchCount", "1", "--warmupCount", "3", "--iterationCount", "8", "--memory", "--exporters", "briefjson", "--artifacts", "/tmp/art"],
            args.Skip(1 + MicroBench.Filters("OkvActors.Kmip.Benchmarks").Count));
    }

    [Fact]
    public void The_project_benchmarkdotnet_builds_from_is_found_above_the_dll()
    {
        var root = Directory.CreateTempSubdirectory("okv-lab-micro-").FullName;
        try
        {
            var bin = Directory.CreateDirectory(Path.Combine(root, "tests", "Suite", "bin", "Release", "net10.0")).FullName;
            File.WriteAllText(Path.Combine(root, "tests", "Suite", "Suite.csproj"), "<Project />");

            Assert.Equal(Path.Combine(root, "tests", "Suite"), MicroBench.ProjectDirectory(Path.Combine(bin, "Suite.dll"), "Suite"));
            Assert.Null(MicroBench.ProjectDirectory(Path.Combine(bin, "Suite.dll"), "Other"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Ours_stands_beside_the_peer_at_the_same_operation_and_size_and_the_ratio_is_peer_time_over_ours()
    {
        MicroResult Row(string system, string parameter, double? mean, string? failure = null) =>
            new(MicroAreas.Crdt, "Put (local write)", parameter, system, mean, null, null, 100, failure);
        var results = new[]
        {
            Row(Systems.Okv, "250 objects", 100), Row(MicroAreas.StockDictionary, "250 objects", 250),
            Row(MicroAreas.StockDictionary, "4000 objects", 900), Row(Systems.Okv, "4000 objects", 300),
            Row(Systems.Okv, "1000 objects", 100), Row(MicroAreas.StockDictionary, "1000 objects", null, "failed: boom"),
            Row(Systems.Okv, "8000 objects", null, "failed: ours"), Row(MicroAreas.StockDictionary, "8000 objects", 5),
            Row(Systems.Okv, "16000 objects", 100),
        };

        var pairs = MicroRatios.Pair(results);

        Assert.Equal(["250 objects", "4000 objects", "1000 objects", "8000 objects", "16000 objects"], pairs.Select(p => p.Parameter));
        Assert.Equal([2.5, 3.0, null, null, null], pairs.Select(p => p.Ratio));
        Assert.All(pairs, p => Assert.Equal(MicroAreas.StockDictionary, p.Peer));
        Assert.Equal("failed: boom", pairs[2].Theirs!.Failure);
        Assert.Null(pairs[4].Theirs);
    }

    /// <summary>BenchmarkDotNet's GlobFilter: `*` any run, `?` one character, whole name, case-insensitive.</summary>
    private static bool Selected(IReadOnlyList<string> filters, string fullName) =>
        filters.Any(f => Regex.IsMatch(fullName, "^" + Regex.Escape(f).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant));
}
