using System.Globalization;
using OkvActors.Cluster.Control;

namespace OkvActors.Cluster.Load;

/// <summary>
/// A load run on one node (control command <c>load</c>): <paramref name="Count"/> key creations through the
/// node's own <c>KeyManager</c>, as an embedding host would make them. Without a rate, <paramref name="Concurrency"/>
/// creations are kept in flight (throughput); with one, a creation is started every 1/rate seconds, at most
/// <paramref name="Concurrency"/> at once (latency at a given load).
/// </summary>
public sealed record LoadRequest(int Count, int Concurrency, double? Rate, string Prefix)
{
    public const int MaxCount = 10_000_000;
    public const int MaxConcurrency = 4096;
    public const double MaxRate = 1_000_000;
    public const int DefaultConcurrency = 64;

    /// <summary>Reads and checks the control arguments: count (required), concurrency, rate (per second), prefix (key names).</summary>
    public static LoadRequest Parse(IReadOnlyDictionary<string, string>? args)
    {
        string? Optional(string name) => args is not null && args.TryGetValue(name, out var v) ? v : null;
        var count = Integer("count", Optional("count") ?? throw new ControlException("missing argument 'count'"), 1, MaxCount);
        var concurrency = Optional("concurrency") is { } c ? Integer("concurrency", c, 1, MaxConcurrency) : DefaultConcurrency;
        double? rate = null;
        if (Optional("rate") is { } r)
        {
            if (!double.TryParse(r, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value <= 0 || value > MaxRate)
            {
                throw new ControlException($"rate must be a number of operations per second in (0, {MaxRate:0}], not '{r}'");
            }

            rate = value;
        }

        var prefix = Optional("prefix") ?? "load";
        if (prefix.Length is 0 or > 64)
        {
            throw new ControlException("prefix must be 1 to 64 characters");
        }

        return new LoadRequest(count, concurrency, rate, prefix);
    }

    public Dictionary<string, string> ToArgs()
    {
        var args = new Dictionary<string, string>
        {
            ["count"] = Count.ToString(CultureInfo.InvariantCulture),
            ["concurrency"] = Concurrency.ToString(CultureInfo.InvariantCulture),
            ["prefix"] = Prefix,
        };
        if (Rate is { } rate)
        {
            args["rate"] = rate.ToString(CultureInfo.InvariantCulture);
        }

        return args;
    }

    private static int Integer(string name, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ControlException($"{name} must be a whole number from {min} to {max}, not '{text}'");
}
