using System.Collections;
using System.Reflection;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.KeyStore.Membership;

/// <summary>
/// One entry of the cluster's reachability table: <paramref name="Observer"/>'s failure detector has given up on
/// <paramref name="Subject"/>. The table is gossiped, so every member sees everyone's observations.
/// </summary>
public sealed record BrokenLink(Akka.Actor.Address Observer, Akka.Actor.Address Subject);

/// <summary>
/// Reads the gossiped reachability table (who observes whom unreachable) from Akka.NET's
/// <c>ClusterEvent.ReachabilityChanged</c>. Akka.NET publishes that event to any subscriber but keeps the type
/// internal (its own split-brain resolver reads it from inside the assembly), and no public API exposes the
/// table, so it is read by reflection here, in one place; the types are looked up once at start, so an Akka
/// upgrade that renames them fails the node at start rather than silently deciding on half the facts.
/// Used where a node needs its own view rather than the cluster's union of everyone's: downing (which group
/// all reach one another) and restricted mode (which members this node itself reaches).
/// </summary>
public static class ReachabilityTable
{
    /// <summary>The event type to subscribe to (<c>Akka.Cluster.ClusterEvent+ReachabilityChanged</c>).</summary>
    public static readonly Type ChangedEvent =
        typeof(AkkaCluster).Assembly.GetType("Akka.Cluster.ClusterEvent+ReachabilityChanged", throwOnError: true)!;

    private static readonly PropertyInfo ReachabilityOfEvent = Property(ChangedEvent, "Reachability");
    private static readonly PropertyInfo Records = Property(ReachabilityOfEvent.PropertyType, "Records");
    private static readonly Type RecordType =
        typeof(AkkaCluster).Assembly.GetType("Akka.Cluster.Reachability+Record", throwOnError: true)!;

    private static readonly PropertyInfo Observer = Property(RecordType, "Observer");
    private static readonly PropertyInfo Subject = Property(RecordType, "Subject");
    private static readonly PropertyInfo Status = Property(RecordType, "Status");

    private static PropertyInfo Property(Type type, string name) =>
        type.GetProperty(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new MissingMemberException(type.FullName, name);

    /// <summary>Whether a link between <paramref name="a"/> and <paramref name="b"/> is broken, either way.</summary>
    public static bool Between(this IEnumerable<BrokenLink> links, Akka.Actor.Address a, Akka.Actor.Address b) =>
        links.Any(l => (l.Observer.Equals(a) && l.Subject.Equals(b)) || (l.Observer.Equals(b) && l.Subject.Equals(a)));

    /// <summary>The links the table records as broken (status Unreachable or Terminated), by address.</summary>
    public static IReadOnlyList<BrokenLink> BrokenLinks(object reachabilityChanged)
    {
        var table = ReachabilityOfEvent.GetValue(reachabilityChanged);
        var links = new List<BrokenLink>();
        foreach (var record in (IEnumerable)Records.GetValue(table)!)
        {
            // The status enum is nested in the internal Reachability class: compared by name.
            if (Status.GetValue(record)!.ToString() == "Reachable")
            {
                continue;
            }

            links.Add(new BrokenLink(((Akka.Cluster.UniqueAddress)Observer.GetValue(record)!).Address,
                ((Akka.Cluster.UniqueAddress)Subject.GetValue(record)!).Address));
        }

        return links;
    }
}
