namespace OkvActors.KmipLoad;

/// <summary>The operations the load generator drives.</summary>
public enum LoadOperation
{
    Create,
    Get,
    Locate,
    Encrypt,
    Decrypt,
}

/// <summary>
/// A weighted operation mix, "create=1,get=6,locate=1,encrypt=2": each client picks its next operation with
/// probability weight / total. Weights are non-negative integers; at least one must be positive.
/// </summary>
public sealed class LoadMix
{
    public const string Default = "create=1,get=6,locate=1,encrypt=2";

    private readonly (LoadOperation Operation, int Weight)[] _entries;

    private LoadMix((LoadOperation, int)[] entries)
    {
        _entries = entries;
        Total = entries.Sum(e => e.Item2);
    }

    public int Total { get; }

    public IReadOnlyList<(LoadOperation Operation, int Weight)> Entries => _entries;

    public int WeightOf(LoadOperation operation) => _entries.Where(e => e.Operation == operation).Sum(e => e.Weight);

    /// <summary>Parses "op=weight,…"; names are case-insensitive, each at most once. Throws <see cref="FormatException"/>.</summary>
    public static LoadMix Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new FormatException("the mix is empty");
        }

        var entries = new List<(LoadOperation, int)>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == part.Length - 1)
            {
                throw new FormatException($"'{part}' is not op=weight");
            }

            var name = part[..eq].Trim();
            if (!Enum.TryParse<LoadOperation>(name, ignoreCase: true, out var operation) || !Enum.IsDefined(operation) || int.TryParse(name, out _))
            {
                throw new FormatException($"unknown operation '{name}' (create, get, locate, encrypt, decrypt)");
            }

            if (!int.TryParse(part[(eq + 1)..].Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var weight))
            {
                throw new FormatException($"'{part[(eq + 1)..]}' is not a non-negative integer weight");
            }

            if (entries.Any(e => e.Item1 == operation))
            {
                throw new FormatException($"'{name}' appears twice");
            }

            entries.Add((operation, weight));
        }

        if (entries.Sum(e => (long)e.Item2) is var total && (total <= 0 || total > int.MaxValue))
        {
            throw new FormatException("the weights must add up to a positive number");
        }

        return new LoadMix(entries.ToArray());
    }

    /// <summary>The operation for a uniform draw in [0, Total).</summary>
    public LoadOperation Pick(int draw)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(draw);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(draw, Total);
        foreach (var (operation, weight) in _entries)
        {
            if (draw < weight)
            {
                return operation;
            }

            draw -= weight;
        }

        throw new InvalidOperationException("unreachable");
    }

    public LoadOperation Pick(Random random) => Pick(random.Next(Total));

    public override string ToString() => string.Join(',', _entries.Select(e => $"{e.Operation.ToString().ToLowerInvariant()}={e.Weight}"));
}
