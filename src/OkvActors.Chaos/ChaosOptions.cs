using System.Globalization;
using OkvActors.Chaos.Faults;
using OkvActors.Chaos.History;
using OkvActors.Chaos.Workload;

namespace OkvActors.Chaos;

/// <summary>A run's settings, from the command line. Every value is checked before anything starts.</summary>
public sealed record ChaosOptions(
    int Seed,
    int Nodes,
    double Duration,
    string Dir,
    int BasePort,
    int Clients,
    double Rate,
    double Affinity,
    IReadOnlyList<(OpKind Kind, int Weight)> Mix,
    bool UseNetworkLab,
    int Lab,
    bool Broken,
    IReadOnlyCollection<FaultKind>? Kinds,
    double RestrictedMargin,
    double ConvergeTimeout,
    bool PlanOnly)
{
    public const string Usage = """
        okv-chaos: runs a real OkvActors cluster under a KMIP workload while injecting seeded faults (kill -9, wipe,
        SIGSTOP/SIGCONT, network partitions), records every client operation and checks the history afterwards.
        Exits 0 when every check holds, 1 when one fails, 2 on bad arguments, 3 when the run itself could not be done.

          --seed N              fault plan and workload seed (default: random; printed first, replays the run)
          --nodes N             3..16 nodes (default 3)
          --duration S          seconds of faults under load (default 60)
          --dir DIR             a new directory for the cluster and the report (default ./.okv-chaos/seed-N-TIME)
          --base-port P         first remoting port; +100 KMIP, +200 management, +300 HTTPS (default 37000)
          --clients N           concurrent KMIP clients, spread over the nodes (default 2 per node)
          --rate R              operations per second per client (default 4)
          --mix SPEC            operation weights, default create=3,register=3,get=4,locate=2,activate=3,revoke=1,
                                destroy=1,rekey=1,encryptdecrypt=2,addattribute=2,inspect=4
          --affinity P          share 0..1 of operations on objects created through the client's own node (default 0.5)
          --no-lab              no network namespaces: nodes on 127.0.0.1, no partitions (needs no root)
          --lab N               network lab number 0..99: namespaces okvchaosN*, subnet 10.231.N.0/24 (default from the base port)
          --restricted-margin S seconds a node may stay in restricted mode after it regained its quorum (default 15)
          --converge-timeout S  how long the healed cluster may take to converge (default 180)
          --kinds K,K           only these fault kinds: kill, wipe, pause, partition, cutwipe (default: all of them)
          --broken              TEST ONLY: nodes acknowledge writes before replicating them (write-consistency local)
          --plan                print the fault plan of the seed and exit
        """;

    public static ChaosOptions Parse(IReadOnlyList<string> args)
    {
        int? seed = null, clients = null, lab = null;
        int nodes = 3, basePort = 37000;
        double duration = 60, rate = 4, affinity = 0.5, margin = 15, converge = 180;
        string? dir = null;
        var mix = ChaosWorkload.DefaultMix;
        bool useLab = true, broken = false, planOnly = false;
        IReadOnlyCollection<FaultKind>? kinds = null;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--seed": seed = Int(Value(), "--seed", int.MinValue, int.MaxValue); break;
                case "--nodes": nodes = Int(Value(), "--nodes", 3, 16); break;
                case "--duration": duration = Number(Value(), "--duration", 10, 7 * 24 * 3600); break;
                case "--dir": dir = Value(); break;
                case "--base-port": basePort = Int(Value(), "--base-port", 1024, 65535 - 320); break;
                case "--clients": clients = Int(Value(), "--clients", 1, 256); break;
                case "--rate": rate = Number(Value(), "--rate", 0.1, 1000); break;
                case "--mix": mix = ChaosWorkload.ParseMix(Value()); break;
                case "--affinity": affinity = Number(Value(), "--affinity", 0, 1); break;
                case "--no-lab": useLab = false; break;
                case "--lab": lab = Int(Value(), "--lab", 0, 99); break;
                case "--restricted-margin": margin = Number(Value(), "--restricted-margin", 0, 3600); break;
                case "--converge-timeout": converge = Number(Value(), "--converge-timeout", 10, 24 * 3600); break;
                case "--broken": broken = true; break;
                case "--kinds": kinds = ParseKinds(Value()); break;
                case "--plan": planOnly = true; break;
                default: throw new FormatException($"unknown option '{args[i]}'");
            }
        }

        var s = seed ?? Random.Shared.Next();
        return new ChaosOptions(s, nodes, duration,
            dir ?? Path.Combine(".okv-chaos", $"seed-{s}-{DateTime.UtcNow:yyyyMMdd-HHmmss}"),
            basePort, clients ?? 2 * nodes, rate, affinity, mix, useLab, lab ?? Math.Abs((basePort - 37000) / 200) % 100, broken, kinds, margin, converge, planOnly);
    }

    private static IReadOnlyCollection<FaultKind> ParseKinds(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(k => Enum.TryParse<FaultKind>(k, ignoreCase: true, out var kind) && kind != FaultKind.Downed
                ? kind
                : throw new FormatException($"--kinds: '{k}' is not a fault kind (kill, wipe, pause, partition, cutwipe)"))
            .ToHashSet();

    private static int Int(string text, string option, int min, int max) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new FormatException($"{option} must be an integer from {min} to {max}, not '{text}'");

    private static double Number(string text, string option, double min, double max) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= min && d <= max
            ? d
            : throw new FormatException($"{option} must be a number from {min} to {max}, not '{text}'");
}
