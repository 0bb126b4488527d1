namespace OkvActors.KeyStore.Model;

/// <summary>
/// A hybrid logical clock timestamp: wall-clock ticks, a logical counter for events within one tick or
/// behind a faster peer, and the writing node as the last tie-breaker. Totally ordered, so two
/// registers written anywhere always agree on which write wins.
/// </summary>
public readonly record struct Hlc(long WallTicks, int Counter, string Node) : IComparable<Hlc>
{
    public static readonly Hlc Zero = new(0, 0, "");

    public int CompareTo(Hlc other)
    {
        var byWall = WallTicks.CompareTo(other.WallTicks);
        if (byWall != 0)
        {
            return byWall;
        }

        var byCounter = Counter.CompareTo(other.Counter);
        return byCounter != 0 ? byCounter : string.CompareOrdinal(Node, other.Node);
    }

    public static bool operator >(Hlc a, Hlc b) => a.CompareTo(b) > 0;

    public static bool operator <(Hlc a, Hlc b) => a.CompareTo(b) < 0;

    public static bool operator >=(Hlc a, Hlc b) => a.CompareTo(b) >= 0;

    public static bool operator <=(Hlc a, Hlc b) => a.CompareTo(b) <= 0;

    public override string ToString() => $"{WallTicks}.{Counter}@{Node}";
}

/// <summary>
/// Issues <see cref="Hlc"/> stamps for one node: never backwards, never equal twice, and ahead of every
/// stamp it has observed from other nodes (so a later write on a node with a slow clock still wins).
/// </summary>
public sealed class HybridLogicalClock(string node, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private Hlc _last = Hlc.Zero;

    public string Node { get; } = node;

    public Hlc Now()
    {
        lock (_gate)
        {
            var wall = _time.GetUtcNow().UtcTicks;
            _last = wall > _last.WallTicks ? new Hlc(wall, 0, Node) : new Hlc(_last.WallTicks, _last.Counter + 1, Node);
            return _last;
        }
    }

    /// <summary>Moves the clock past a stamp seen from another node.</summary>
    public void Observe(Hlc remote)
    {
        lock (_gate)
        {
            if (remote.WallTicks > _last.WallTicks || (remote.WallTicks == _last.WallTicks && remote.Counter > _last.Counter))
            {
                _last = new Hlc(remote.WallTicks, remote.Counter, Node);
            }
        }
    }
}

/// <summary>A last-writer-wins register ordered by <see cref="Hlc"/>: merge keeps the later write.</summary>
public readonly record struct Register<T>(T Value, Hlc Stamp)
{
    public Register<T> Merge(Register<T> other) => other.Stamp > Stamp ? other : this;
}
