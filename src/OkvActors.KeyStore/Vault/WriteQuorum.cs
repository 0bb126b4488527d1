namespace OkvActors.KeyStore.Vault;

/// <summary>
/// Whether this node can reach a write quorum: a strict majority of the cluster's members, counting
/// itself. Below it the node is in restricted (read-only) mode.
/// </summary>
public static class WriteQuorum
{
    public static ModeStatus Evaluate(int members, int reachable)
    {
        var needed = members / 2 + 1;
        return reachable >= needed
            ? new ModeStatus(false, reachable, members, $"reaches {reachable} of {members} nodes (a majority is {needed})")
            : new ModeStatus(true, reachable, members,
                $"restricted mode: this node reaches {reachable} of {members} nodes and writes need {needed}; reads and crypto go on, writes are refused until the quorum returns");
    }
}
