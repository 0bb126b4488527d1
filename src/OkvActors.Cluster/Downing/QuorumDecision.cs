using Akka.Actor;
using Akka.Cluster;
using OkvActors.KeyStore.Membership;

namespace OkvActors.Cluster.Downing;

/// <summary>One member as the gossiped membership shows it when the downing decision is taken.</summary>
public sealed record MemberView(Address Address, MemberStatus Status);

/// <summary>What this node does once membership and reachability have been stable for a while.</summary>
public abstract record DowningDecision
{
    /// <summary>No link is broken (or only links to members already on their way out).</summary>
    public sealed record NothingToDecide : DowningDecision;

    /// <summary>
    /// This node's side holds the majority (or wins the tie): every member outside it is downed, those nobody
    /// reaches and those only some reach alike. <paramref name="Reachable"/> counts the voting members kept.
    /// </summary>
    public sealed record DownUnreachable(IReadOnlyList<Address> Members, int Reachable, int Counted) : DowningDecision;

    /// <summary>
    /// This node is on a minority side, or outside the side that is kept: it downs nobody, not even itself, and
    /// stays up read-only (the key store's restricted mode) until the others return or the kept side downs it.
    /// <paramref name="Reachable"/> counts the voting members this node reaches itself included.
    /// </summary>
    public sealed record StayRestricted(int Reachable, int Counted) : DowningDecision;
}

/// <summary>
/// Keep-majority without self-downing, over the whole reachability table. The stock resolver's keep-majority makes
/// a minority down itself, which ends a node that lost its peers; a key manager's survivor should instead keep
/// serving reads and crypto, and write again as soon as a quorum returns.
/// <para>
/// The side that is kept is the largest group of members that all reach one another: the clique of the
/// "no broken link either way" graph with the most voting members (then the most members, then the lowest
/// addresses). Counting only whom this node sees unreachable is not enough: when one link breaks one way (a
/// restarted incarnation that some old members cannot answer), the gossiped table marks both ends unreachable
/// to everyone, every member then reaches a minority and nobody downs anybody, for as long as the link stays
/// broken (the chaos harness found whole minutes of that). Downing the members outside the clique, those that
/// only some reach included, ends it: they restart as new incarnations and join again. If the clique is a
/// majority of the voting members (or exactly half holding the lowest address, so one side wins an even split)
/// its lowest member downs everyone outside it; otherwise nobody downs anybody.
/// </para>
/// <para>
/// Writes stay safe on either side whatever this decides, because the key store counts its quorum against
/// the registry's nodes, not this view.
/// </para>
/// </summary>
public static class QuorumDecision
{
    /// <summary>Members whose votes count: Joining and WeaklyUp members are not yet part of the majority.</summary>
    public static bool Counts(MemberStatus status) => status is MemberStatus.Up or MemberStatus.Leaving;

    private static bool OnItsWayOut(MemberStatus status) => status is MemberStatus.Down or MemberStatus.Exiting or MemberStatus.Removed;

    public static DowningDecision Decide(Address self, IReadOnlyCollection<MemberView> members, IReadOnlyCollection<BrokenLink> links)
    {
        // One candidate per address: a new incarnation only joins once its predecessor is on its way out.
        var candidates = members.Where(m => !OnItsWayOut(m.Status)).DistinctBy(m => m.Address)
            .OrderBy(m => m.Address, AddressOrder.Instance).ToArray();
        var index = candidates.Select((m, i) => (m.Address, i)).ToDictionary(p => p.Address, p => p.i);
        var broken = new bool[candidates.Length, candidates.Length];
        var anyBroken = false;
        foreach (var link in links)
        {
            if (index.TryGetValue(link.Observer, out var o) && index.TryGetValue(link.Subject, out var s) && o != s)
            {
                broken[o, s] = broken[s, o] = anyBroken = true;
            }
        }

        if (!anyBroken)
        {
            return new DowningDecision.NothingToDecide();
        }

        var counted = candidates.Count(m => Counts(m.Status));
        var kept = LargestConnectedGroup(candidates, broken);
        var keptVotes = kept.Count(i => Counts(candidates[i].Status));
        var lowestVoter = Array.FindIndex(candidates, m => Counts(m.Status));
        var keeps = keptVotes > counted - keptVotes ||
                    (keptVotes == counted - keptVotes && keptVotes > 0 && kept.Contains(lowestVoter));
        var selfIndex = index.GetValueOrDefault(self, -1);
        if (keeps && kept.Contains(selfIndex))
        {
            var toDown = Enumerable.Range(0, candidates.Length).Where(i => !kept.Contains(i)).Select(i => candidates[i].Address).ToArray();
            return new DowningDecision.DownUnreachable(toDown, keptVotes, counted);
        }

        var reached = Enumerable.Range(0, candidates.Length)
            .Count(i => Counts(candidates[i].Status) && (i == selfIndex || (selfIndex >= 0 && !broken[selfIndex, i])));
        return new DowningDecision.StayRestricted(reached, counted);
    }

    /// <summary>
    /// The clique of members with no broken link between any two of them that holds the most voting members,
    /// then the most members, then (members being in address order) the lowest addresses. Bron–Kerbosch over
    /// at most a few dozen members (16 nodes and the incarnations replacing them).
    /// </summary>
    private static HashSet<int> LargestConnectedGroup(MemberView[] members, bool[,] broken)
    {
        List<int>? best = null;
        var bestVotes = -1;

        void Consider(List<int> clique)
        {
            var votes = clique.Count(i => Counts(members[i].Status));
            var better = best is null || votes > bestVotes ||
                         (votes == bestVotes && (clique.Count > best.Count || (clique.Count == best.Count && LowerAddresses(clique, best))));
            if (better)
            {
                best = [.. clique];
                bestVotes = votes;
            }
        }

        void Expand(List<int> clique, List<int> candidates, List<int> excluded)
        {
            if (candidates.Count == 0 && excluded.Count == 0)
            {
                Consider(clique);
                return;
            }

            foreach (var v in candidates.ToArray())
            {
                clique.Add(v);
                Expand(clique, candidates.Where(u => !broken[v, u] && u != v).ToList(), excluded.Where(u => !broken[v, u] && u != v).ToList());
                clique.RemoveAt(clique.Count - 1);
                candidates.Remove(v);
                excluded.Add(v);
            }
        }

        Expand([], Enumerable.Range(0, members.Length).ToList(), []);
        return [.. best!];
    }

    /// <summary>Both lists hold indexes into the address-ordered members, ascending.</summary>
    private static bool LowerAddresses(List<int> a, List<int> b)
    {
        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] != b[i])
            {
                return a[i] < b[i];
            }
        }

        return false;
    }

    /// <summary>The same total order on every node (host, then port), so all sides agree who wins a tie.</summary>
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
