using Akka.Actor;
using Akka.Cluster;

namespace OkvActors.Cluster.Downing;

/// <summary>One member as this node sees it when it decides about the unreachable ones.</summary>
public sealed record MemberView(Address Address, MemberStatus Status, bool Reachable);

/// <summary>What this side of a partition does once membership has been stable for a while.</summary>
public abstract record DowningDecision
{
    /// <summary>Nothing is unreachable (or only members already on their way out).</summary>
    public sealed record NothingToDecide : DowningDecision;

    /// <summary>This side holds the majority (or wins the tie): the unreachable members are downed.</summary>
    public sealed record DownUnreachable(IReadOnlyList<Address> Members, int Reachable, int Counted) : DowningDecision;

    /// <summary>
    /// This side is a minority: it downs nobody, not even itself, and stays up read-only (the key store's
    /// restricted mode) until the others return or the majority side downs it.
    /// </summary>
    public sealed record StayRestricted(int Reachable, int Counted) : DowningDecision;
}

/// <summary>
/// Keep-majority without self-downing. The stock resolver's keep-majority makes a minority down itself,
/// which ends a node that lost its peers; a key manager's survivor should instead keep serving reads
/// and crypto, and write again as soon as a quorum returns. The majority side (or, on an even split,
/// the side holding the lowest address, exactly one side) downs the unreachable members, so a crashed
/// node's incarnation is still removed and the controller singleton still moves. Writes stay safe on
/// either side because the key store counts its quorum against the registry's nodes, not this view.
/// </summary>
public static class QuorumDecision
{
    /// <summary>Members whose votes count: Joining and WeaklyUp members are not yet part of the majority.</summary>
    public static bool Counts(MemberStatus status) => status is MemberStatus.Up or MemberStatus.Leaving;

    public static DowningDecision Decide(IReadOnlyCollection<MemberView> members)
    {
        var toDown = members
            .Where(m => !m.Reachable && m.Status is not (MemberStatus.Down or MemberStatus.Exiting or MemberStatus.Removed))
            .Select(m => m.Address)
            .OrderBy(a => a, AddressOrder.Instance)
            .ToArray();
        if (toDown.Length == 0)
        {
            return new DowningDecision.NothingToDecide();
        }

        var counted = members.Where(m => Counts(m.Status)).ToArray();
        var reachable = counted.Count(m => m.Reachable);
        var unreachable = counted.Length - reachable;
        var keeps = reachable > unreachable ||
                    (reachable == unreachable && reachable > 0 &&
                     counted.MinBy(m => m.Address, AddressOrder.Instance)!.Reachable);
        return keeps
            ? new DowningDecision.DownUnreachable(toDown, reachable, counted.Length)
            : new DowningDecision.StayRestricted(reachable, counted.Length);
    }

    /// <summary>The same total order on every node (host, then port), so both sides agree who wins a tie.</summary>
    public sealed class AddressOrder : IComparer<Address>
    {
        public static readonly AddressOrder Instance = new();

        public int Compare(Address? x, Address? y)
        {
            if (x is null || y is null)
            {
                return x is null ? y is null ? 0 : -1 : 1;
            }

            var byHost = string.CompareOrdinal(x.Host, y.Host);
            return byHost != 0 ? byHost : Nullable.Compare(x.Port, y.Port);
        }
    }
}
