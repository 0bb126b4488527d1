namespace OkvActors.Lab.Report;

/// <summary>The micro benchmarks' areas, and the peer OkvActors is measured beside in each.</summary>
public static class MicroAreas
{
    public const string Codec = "TTLV codec";
    public const string KeyWrap = "Key wrap";
    public const string Crdt = "CRDT merge";

    public const string PyKmipCodec = "PyKMIP codec";
    public const string AesKeyWrap = "AES-KW (RFC 5649)";
    public const string StockDictionary = "stock LWWDictionary";

    /// <summary>In the order the summary shows them.</summary>
    public static readonly IReadOnlyList<string> All = [Codec, KeyWrap, Crdt];

    public static string PeerOf(string area) => area switch
    {
        Codec => PyKmipCodec,
        KeyWrap => AesKeyWrap,
        Crdt => StockDictionary,
        _ => throw new ArgumentOutOfRangeException(nameof(area), area, "not a micro benchmark area"),
    };
}

/// <summary>
/// One operation of one system at one size, in nanoseconds per operation. <paramref name="ErrorNs"/> is BenchmarkDotNet's
/// error (half the 99.9% confidence interval), null for PyKMIP; <paramref name="AllocatedBytes"/> the managed bytes allocated
/// per operation, null where not measured (Python). A result without a mean has a <paramref name="Failure"/> saying why.
/// </summary>
public sealed record MicroResult(
    string Area, string Operation, string Parameter, string System,
    double? MeanNs, double? ErrorNs, double? StdDevNs, long? AllocatedBytes, string? Failure = null);

/// <summary>Ours beside the area's peer for one operation and size; Ratio = peer time ÷ our time (above 1 we are faster).</summary>
public sealed record MicroComparison(string Area, string Operation, string Parameter, MicroResult Ours, string Peer, MicroResult? Theirs, double? Ratio);

public static class MicroRatios
{
    /// <summary>Every OkvActors result beside its peer's at the same operation and size, in our results' order; no ratio unless both ran.</summary>
    public static IReadOnlyList<MicroComparison> Pair(IReadOnlyList<MicroResult> results) =>
        [.. results.Where(r => r.System == Systems.Okv).Select(ours =>
        {
            var peer = MicroAreas.PeerOf(ours.Area);
            var theirs = results.FirstOrDefault(r => r.System == peer && r.Area == ours.Area && r.Operation == ours.Operation && r.Parameter == ours.Parameter);
            double? ratio = ours.MeanNs is > 0 && theirs?.MeanNs is > 0 ? theirs.MeanNs.Value / ours.MeanNs.Value : null;
            return new MicroComparison(ours.Area, ours.Operation, ours.Parameter, ours, peer, theirs, ratio);
        })];
}
