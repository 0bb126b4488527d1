namespace OkvActors.Cluster.Control;

/// <summary>A switch of a command: its long name (the request argument), short alias and meaning.</summary>
public sealed record CommandSwitch(string Name, string? Short, string Description, bool Flag = false, bool Required = false);

/// <summary>
/// One command as okvctl shows it, in petabridge.cmd's shape: a palette (noun), a verb, switches.
/// The request's command name is "palette-verb" (or the palette alone when it has no verb).
/// </summary>
public sealed record CommandInfo(string Palette, string? Verb, string Description, IReadOnlyList<CommandSwitch> Switches)
{
    public string Command => Verb is null ? Palette : $"{Palette}-{Verb}";
}

/// <summary>What the management listener offers; served by `help`, so okvctl learns it from the node it talks to.</summary>
public static class ControlCatalog
{
    private static CommandSwitch Address(bool required) => new("address", "a", "a member's address (akka.ssl.tcp://NAME@HOST:PORT)", Required: required);

    private static readonly CommandSwitch NodeName = new("name", "n", "the node's name", Required: true);

    public static readonly IReadOnlyList<CommandInfo> Commands =
    [
        new("cluster", "show", "members: address, roles, status, reachability", []),
        new("cluster", "status", "this node's membership status, leader and counts", []),
        new("cluster", "leader", "the cluster leader's address", []),
        new("cluster", "tail", "membership events as they happen (until Ctrl-C)", []),
        new("cluster", "join", "make this node join the cluster at an address", [Address(true)]),
        new("cluster", "leave", "a member (this node by default) leaves gracefully", [Address(false)]),
        new("cluster", "down", "down a member (for a dead node; the cluster removes it)", [Address(true)]),
        new("cluster", "down-unreachable", "down every member this node sees unreachable", []),
        new("actor", "system", "the actor system: name, address, uptime, Akka version", []),
        new("actor", "hierarchy", "the actor tree under a path",
            [new("depth", "d", "levels below the path (default: all)"), new("path", "s", "where to start (default /user)")]),
        new("log", "peek", "the node's recent log lines",
            [new("count", "c", "how many lines (default 50)"), new("level", "l", "lowest level shown (debug, info, warning, error)")]),
        new("log", "set-level", "change the node's log level at run time", [new("level", "l", "debug, info, warning or error", Required: true)]),
        new("node", "list", "the controller's registry: nodes, states, subgroups, versions, fingerprints", []),
        new("node", "approve", "pre-approve a candidate's CSR (okvctl reads --csr and sends its key)",
            [new("csr", null, "the candidate's CSR file (PEM)", Required: true), new("fingerprint", "f", "the fingerprint the candidate showed", Required: true)]),
        new("node", "disable", "take a node out of the cluster for a while", [NodeName]),
        new("node", "enable", "let a disabled node back", [NodeName]),
        new("node", "remove", "remove a node gracefully and revoke its certificate", [NodeName]),
        new("node", "force-remove", "remove a dead node and revoke its certificate", [NodeName]),
        new("certificate", "revoke", "revoke an endpoint's or operator's certificate on every node",
            [new("fingerprint", "f", "the certificate's public-key fingerprint", Required: true), new("name", "n", "whose it is (for the registry)")]),
        new("keys", "stats", "objects by type, state and wallet on this node's replica", []),
        new("keys", "show", "one object's metadata (never its material)", [new("uid", "u", "the object's UID", Required: true)]),
        new("shards", "show", "per shard: objects and digest on this node",
            [new("all", null, "compare every member's digests and mark differences", Flag: true)]),
        new("replication", "lag", "per member: round trip, and time for a probe write to reach it", []),
        new("conflicts", "list", "names held by more than one object", []),
        new("conflicts", "resolve", "rename one object of a conflict",
            [new("uid", "u", "the object to rename", Required: true), new("name", "n", "its new name", Required: true)]),
        new("secrets", "show", "per member: the generation of its passphrase-sealed files and the KEK it runs with", []),
        new("kek", "status", "KEK rotation: objects per KEK generation, per shard those left under an older one, generations each member holds", []),
        new("mode", null, "normal or restricted (read-only), and why", []),
        new("backup", "status", "the last backup (ok or failed, when, file, objects, error) and the backup schedule", []),
        new("help", null, "the commands this node offers", []),
    ];
}
