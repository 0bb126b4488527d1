using System.Globalization;
using System.Numerics;
using OkvActors.KmipLoad;

namespace OkvActors.Lab;

/// <summary>Parts of the lab that can be left out of a run (each left-out part is named in the summary).</summary>
public enum LabPart
{
    PyKmip,
    Etcd,
    Availability,
    Convergence,
    Scale,
    Growth,
    /// <summary>Every member of the loaded systems killed -9 at once and restarted.</summary>
    Restart,
    /// <summary>A fresh cluster of each system for each of <see cref="LabOptions.FreshSizes"/>: loaded, memory, a cold restart.</summary>
    Large,
    /// <summary>The BenchmarkDotNet suite beside its peers (PyKMIP's codec, AES key wrap, the stock CRDT).</summary>
    Micro,
    /// <summary>dotnet-counters and dotnet-trace attached to a node during the macro runs the targets judge.</summary>
    Profile,
}

/// <summary>Command-line options of okv-lab. <see cref="Parse"/> throws <see cref="FormatException"/> on a bad command line.</summary>
public sealed record LabOptions(
    string Out,
    string? WorkDir,
    int BasePort,
    IReadOnlyList<int> Clients,
    double Seconds,
    IReadOnlyList<LoadOperation> Operations,
    IReadOnlySet<LabPart> Skip,
    int ConvergenceSamples,
    double AvailabilitySeconds,
    int ValueBytes,
    int Objects,
    IReadOnlyList<int> GrowthNodes,
    bool Quick,
    int LargeObjects = 1_000_000)
{
    /// <summary>
    /// Size of one replicated record in the key store (UID, a few attributes, a 60-byte wrapped key): what an
    /// etcd put carries so both replicate the same bytes per write (AKKA-NOTES: ~300–315-byte records).
    /// </summary>
    public const int RecordBytes = 315;

    /// <summary>
    /// Highest port the lab uses above the base: okv up takes base..base+315, pykmip +500, etcd +600..+612, the large
    /// etcd +620..+632, one further okv cluster at a time (growth, large) +700..+1015.
    /// </summary>
    public const int PortSpan = 1020;

    public const string Usage = """
        okv-lab: the performance lab (issue #7). Starts a 3-node OkvActors cluster (`okv up`), pykmip-server and a
        3-member etcd cluster on loopback, drives them with the same load in the same run, and writes
        OUT/<UTC stamp>.json, OUT/<stamp>.md (every figure beside its peer, the ratios, the targets) and PNG charts.
        Missed targets are findings: the exit code is non-zero only when the lab itself could not run.

          --out DIR            where results go (default bench/results)
          --dir DIR            working directory for clusters and logs (default: a new temp directory)
          --base-port P        first TCP port; the lab uses P..P+1020 (default 44000)
          --clients LIST       concurrencies, comma-separated (default 1,8,32,128)
          --seconds S          measured seconds per run (default 10)
          --ops LIST           KMIP operations (default get,locate,encrypt,decrypt,create)
          --skip PART          leave out pykmip, etcd, availability, convergence, scale, growth, restart, large,
                               micro or profile; repeatable
          --convergence-samples N   writes timed until visible on every node (default 50)
          --availability-seconds S  load duration around the node kill (default 12)
          --value-bytes N      etcd value size (default 315, one key-store record)
          --objects N          records loaded into OkvActors and etcd before convergence and the kill, then
                               memory per member (default 100000)
          --growth-nodes LIST  cluster sizes formed from nothing, each measured idle and under Create (default 3,16)
          --large-objects N    records loaded into a fresh cluster of each system, then memory and a cold restart
                               of every member; the same for --objects (default 1000000)
          --quick              a short run for development: clients 1,32, 4 s, 20 samples, 8 s availability,
                               10000 objects, 20000 large, growth 3,6
        """;

    public static LabOptions Parse(IReadOnlyList<string> args)
    {
        string output = Path.Combine("bench", "results");
        string? dir = null;
        int basePort = 44000, samples = 50, valueBytes = RecordBytes, objects = 100_000, large = 1_000_000;
        IReadOnlyList<int> clients = [1, 8, 32, 128];
        IReadOnlyList<int> growth = [3, 16];
        IReadOnlyList<LoadOperation> ops = [LoadOperation.Get, LoadOperation.Locate, LoadOperation.Encrypt, LoadOperation.Decrypt, LoadOperation.Create];
        double seconds = 10, availability = 12;
        bool quick = false, growthSet = false, clientsSet = false, secondsSet = false, samplesSet = false, availabilitySet = false, objectsSet = false, largeSet = false;
        var skip = new HashSet<LabPart>();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--out": output = Value(); break;
                case "--dir": dir = Value(); break;
                case "--base-port": basePort = PositiveInt(Value(), "--base-port"); break;
                case "--clients": clients = ParseClients(Value()); clientsSet = true; break;
                case "--seconds": seconds = PositiveDouble(Value(), "--seconds"); secondsSet = true; break;
                case "--ops": ops = ParseOperations(Value()); break;
                case "--skip": skip.Add(ParsePart(Value())); break;
                case "--convergence-samples": samples = PositiveInt(Value(), "--convergence-samples"); samplesSet = true; break;
                case "--availability-seconds": availability = PositiveDouble(Value(), "--availability-seconds"); availabilitySet = true; break;
                case "--value-bytes": valueBytes = PositiveInt(Value(), "--value-bytes"); break;
                case "--objects": objects = PositiveInt(Value(), "--objects"); objectsSet = true; break;
                case "--growth-nodes": growth = ParseGrowth(Value()); growthSet = true; break;
                case "--large-objects": large = PositiveInt(Value(), "--large-objects"); largeSet = true; break;
                case "--quick": quick = true; break;
                default: throw new FormatException($"unknown option '{args[i]}'");
            }
        }

        if (basePort + PortSpan > 65535)
        {
            throw new FormatException($"--base-port {basePort} leaves no room for the lab's {PortSpan} ports");
        }

        if (availability < 6)
        {
            throw new FormatException("--availability-seconds must be at least 6 (the kill comes 3 s in)");
        }

        // --quick only shortens what was not given explicitly.
        if (quick)
        {
            clients = clientsSet ? clients : [1, 32];
            seconds = secondsSet ? seconds : 4;
            samples = samplesSet ? samples : 20;
            availability = availabilitySet ? availability : 8;
            objects = objectsSet ? objects : 10_000;
            growth = growthSet ? growth : [3, 6];
            large = largeSet ? large : 20_000;
        }

        return new LabOptions(output, dir, basePort, clients, seconds, ops, skip, samples, availability, valueBytes, objects, growth, quick, large);
    }

    public bool Runs(LabPart part) => !Skip.Contains(part);

    /// <summary>The loads given to fresh clusters, smallest first: the lab's scale load and the large one.</summary>
    public IReadOnlyList<int> FreshSizes => new[] { Objects, LargeObjects }.Distinct().Order().ToList();

    /// <summary>
    /// The shard count the lab's cluster is initialised with: the scale load and as many again for the macro runs'
    /// creations (<see cref="ShardsFor"/>).
    /// </summary>
    public int ShardCount => ShardsFor(Objects * 2L);

    /// <summary>
    /// Shards for a cluster that will hold <paramref name="records"/>, sized as the README asks an operator to (about
    /// 250 objects a shard), rounded up to a power of two from 256 (the default) to 4096. Shards much fuller than that
    /// cost every write more.
    /// </summary>
    public static int ShardsFor(long records) => (int)Math.Clamp(BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1, records / 250)), 256, 4096);

    private static IReadOnlyList<int> ParseClients(string text)
    {
        var list = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(c => PositiveInt(c, "--clients")).Distinct().Order().ToList();
        return list.Count > 0 ? list : throw new FormatException("--clients needs at least one concurrency");
    }

    /// <summary>Cluster sizes for the growth part: 3 to 16 nodes, as the cluster allows.</summary>
    private static IReadOnlyList<int> ParseGrowth(string text)
    {
        var list = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(n => PositiveInt(n, "--growth-nodes")).Distinct().Order().ToList();
        if (list.Count == 0 || list.Any(n => n is < 3 or > 16))
        {
            throw new FormatException($"--growth-nodes takes cluster sizes from 3 to 16, not '{text}'");
        }

        return list;
    }

    private static IReadOnlyList<LoadOperation> ParseOperations(string text)
    {
        var list = new List<LoadOperation>();
        foreach (var name in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Enum.TryParse<LoadOperation>(name, ignoreCase: true, out var op) || !Enum.IsDefined(op) || int.TryParse(name, out _))
            {
                throw new FormatException($"unknown operation '{name}' (create, get, locate, encrypt, decrypt)");
            }

            if (!list.Contains(op))
            {
                list.Add(op);
            }
        }

        return list.Count > 0 ? list : throw new FormatException("--ops needs at least one operation");
    }

    private static LabPart ParsePart(string text) =>
        Enum.TryParse<LabPart>(text, ignoreCase: true, out var part) && Enum.IsDefined(part) && !int.TryParse(text, out _)
            ? part
            : throw new FormatException($"unknown part '{text}' (pykmip, etcd, availability, convergence, scale, growth, restart, large, micro, profile)");

    private static int PositiveInt(string text, string option) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new FormatException($"{option} must be a positive integer, not '{text}'");

    private static double PositiveDouble(string text, string option) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0 && double.IsFinite(d)
            ? d
            : throw new FormatException($"{option} must be a positive number, not '{text}'");
}
