using Akka.Cluster;

namespace OkvActors.Cluster.Hosting;

/// <summary>One Up member as an endpoint sees it: where to reach its KMIP and HTTPS listeners.</summary>
public sealed record FailoverNode(string Address, string Subgroup, string? Kmip, string? Https);

/// <summary>
/// Where an endpoint should fail over to: every Up member, the asking node's own subgroup first (the
/// nearest data centre), then by subgroup and address, so every node hands out the same order for the
/// same membership. KMIP's Query (server information) and REST's failover resource both read it here.
/// Each member announces its listeners as cluster roles (see <see cref="NodeConfig"/>).
/// </summary>
public static class FailoverList
{
    public const string SubgroupRolePrefix = "subgroup-";
    public const string KmipRolePrefix = "kmip-";
    public const string HttpsRolePrefix = "https-";

    public static IReadOnlyList<FailoverNode> Of(IEnumerable<Member> members, string ownSubgroup) =>
        Order(members
            .Where(m => m.Status == MemberStatus.Up)
            .Select(m => new FailoverNode(m.Address.ToString(), Role(m, SubgroupRolePrefix) ?? "", Role(m, KmipRolePrefix), Role(m, HttpsRolePrefix))),
            ownSubgroup);

    /// <summary>The rule itself: own subgroup first, then by subgroup, then by address.</summary>
    public static IReadOnlyList<FailoverNode> Order(IEnumerable<FailoverNode> upNodes, string ownSubgroup) =>
        upNodes
            .OrderBy(n => n.Subgroup == ownSubgroup ? 0 : 1)
            .ThenBy(n => n.Subgroup, StringComparer.Ordinal)
            .ThenBy(n => n.Kmip ?? n.Address, StringComparer.Ordinal)
            .ToArray();

    /// <summary>The value of the member's role that starts with <paramref name="prefix"/>, or null.</summary>
    public static string? Role(Member member, string prefix) =>
        member.Roles.FirstOrDefault(r => r.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
}
