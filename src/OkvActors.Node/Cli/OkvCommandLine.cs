using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Configuration;
using OkvActors.Cluster;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Storage;
using OkvActors.Cluster.Trust;
using OkvActors.Crypto.Hsm;
using OkvActors.Node.Commands;
using OkvActors.Node.Up;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Sealing;

namespace OkvActors.Node.Cli;

/// <summary>The `okv` command line: verbs as commands, each a thin shell over Provisioning / NodeRunner / ClusterLauncher.</summary>
public static partial class OkvCommandLine
{
    private static readonly Option<string> Dir = new("--dir")
    {
        Description = "The node's data directory (env OKV_DATA_DIR)",
        DefaultValueFactory = _ => Env.Get("OKV_DATA_DIR") ?? "",
    };

    private static readonly Option<string?> PassphraseFile = new("--passphrase-file") { Description = "File whose first line is the recovery passphrase (else a prompt)" };
    private static readonly Option<string> Profile = new("--profile")
    {
        Description = "Timings: production, or fast (development and tests)",
        DefaultValueFactory = _ => Env.Get("OKV_PROFILE") ?? OperatorConfig.ProductionProfile,
    };

    private static readonly Option<string?> ConfigFile = new("--config")
    {
        Description = "Extra HOCON file applied over hocon/ (env OKV_CONFIG_FILE)",
        DefaultValueFactory = _ => Env.Get("OKV_CONFIG_FILE"),
    };
    private static readonly Option<double> ClockOffset = new("--clock-offset")
    {
        Description = "Shift this node's clock by SECONDS (clock-skew drills; env OKV_CLOCK_OFFSET)",
        DefaultValueFactory = _ => Env.Get("OKV_CLOCK_OFFSET") is { } v && double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : 0,
    };

    private static readonly Option<bool> Json = new("--json") { Description = "Machine-readable output" };

    private static readonly Option<string?> HsmModule = new("--hsm-module")
    {
        Description = $"PKCS#11 module whose token seals this node's copy of the KEK (instead of its node key); PIN from env {NodeCredentials.HsmPinVariable}",
    };

    private static readonly Option<string?> HsmToken = new("--hsm-token") { Description = "Label of the HSM token (with --hsm-module)" };
    private static readonly Option<string?> HsmKeyLabel = new("--hsm-key-label")
    {
        Description = $"Label of the AES key in the token, created if absent (default {HsmOptions.DefaultKeyLabel})",
    };

    public static RootCommand Build()
    {
        var root = new RootCommand("okv: an OkvActors key store node and its cluster verbs");
        root.Subcommands.Add(InitCommand());
        root.Subcommands.Add(CandidateCommand());
        root.Subcommands.Add(AdmitCommand());
        root.Subcommands.Add(JoinCommand());
        root.Subcommands.Add(RunCommand());
        root.Subcommands.Add(UpCommand());
        root.Subcommands.Add(IssueCommand());
        root.Subcommands.Add(StatusCommand());
        root.Subcommands.Add(NodeCommand());
        root.Subcommands.Add(SubgroupCommand());
        root.Subcommands.Add(KeyCommand());
        root.Subcommands.Add(ShardsCommand());
        root.Subcommands.Add(EndpointCommand());
        root.Subcommands.Add(WalletCommand());
        root.Subcommands.Add(GrantCommand());
        root.Subcommands.Add(AccessCommand());
        root.Subcommands.Add(AuditCommand());
        root.Subcommands.Add(PassphraseCommand());
        root.Subcommands.Add(SecretsCommand());
        root.Subcommands.Add(KekCommand());
        root.Subcommands.Add(BackupCommand());
        root.Subcommands.Add(RestoreCommand());
        return root;
    }

    private static (Option<string> Host, Option<int> Port, Option<int> Kmip, Option<int> Management, Option<int> Https) AddressOptions()
    {
        var defaults = OkvClusterSettings.Create(Config.Empty);
        return (
            new Option<string>("--host") { Description = "Address other nodes dial (env OKV_HOST)", DefaultValueFactory = _ => Env.Get("OKV_HOST") ?? defaults.Host },
            new Option<int>("--port") { Description = "Remoting port (env OKV_PORT)", DefaultValueFactory = _ => Env.GetInt("OKV_PORT") ?? defaults.Port },
            new Option<int>("--kmip-port") { DefaultValueFactory = _ => Env.GetInt("OKV_KMIP_PORT") ?? defaults.KmipPort },
            new Option<int>("--management-port") { DefaultValueFactory = _ => Env.GetInt("OKV_MANAGEMENT_PORT") ?? defaults.ManagementPort },
            new Option<int>("--https-port") { DefaultValueFactory = _ => Env.GetInt("OKV_HTTPS_PORT") ?? defaults.HttpsPort });
    }

    private static Command InitCommand()
    {
        var defaults = OkvClusterSettings.Create(Config.Empty);
        var cluster = new Option<string>("--cluster") { Description = "Cluster name (never changes)", Required = true };
        var name = new Option<string>("--name") { Description = "This node's name (never changes)", DefaultValueFactory = _ => "node1" };
        var subgroup = new Option<string>("--subgroup") { Description = "The first subgroup (data centre)", DefaultValueFactory = _ => defaults.Subgroup };
        var maxNodes = new Option<int>("--max-nodes") { DefaultValueFactory = _ => defaults.MaxNodes };
        var maxSkew = new Option<double>("--max-clock-skew") { Description = "Seconds", DefaultValueFactory = _ => defaults.MaxClockSkew.TotalSeconds };
        var shardCount = ShardCountOption();
        var a = AddressOptions();
        var command = new Command("init", "Initialise a new cluster on this node, which becomes its controller (creates the CA and the KEK, sealed under the recovery passphrase)")
        {
            Dir, cluster, name, subgroup, a.Host, a.Port, a.Kmip, a.Management, a.Https, PassphraseFile, maxNodes, maxSkew, shardCount,
            HsmModule, HsmToken, HsmKeyLabel,
        };
        command.SetAction(parse => Handle(() =>
        {
            var dir = RequireDir(parse);
            new NodeDirectory(dir).EnsureEmpty();
            var (hsm, pin) = Hsm(parse);
            var passphrase = Passphrase.Read(parse.GetValue(PassphraseFile), confirm: true);
            Console.WriteLine(Provisioning.Init(dir, parse.GetValue(cluster)!, parse.GetValue(name)!, parse.GetValue(subgroup)!,
                Addresses(parse, a), passphrase, parse.GetValue(maxNodes), TimeSpan.FromSeconds(parse.GetValue(maxSkew)),
                defaults.MaxDisableDuration, defaults.NodeCertificateValidity, hsm, pin, parse.GetValue(shardCount)));
            return Task.FromResult(0);
        }));
        return command;
    }

    /// <summary>Recorded at init and handed to every admitted node; unset, nodes use okv.key-store.shard-count (256).</summary>
    private static Option<int?> ShardCountOption() => new("--shard-count")
    {
        Description = "Key shards, fixed for the cluster's life: about 250 objects per shard at its target size (4096 for 1M objects)",
    };

    private static Command CandidateCommand()
    {
        var defaults = OkvClusterSettings.Create(Config.Empty);
        var name = new Option<string>("--name") { Description = "The node name to ask for", Required = true };
        var subgroup = new Option<string>("--subgroup") { DefaultValueFactory = _ => defaults.Subgroup };
        var a = AddressOptions();
        var command = new Command("candidate", "Prepare a new node: key pair and CSR (the private key never leaves this node)")
        {
            Dir, name, subgroup, a.Host, a.Port, a.Kmip, a.Management, a.Https,
        };
        command.SetAction(parse => Handle(() =>
        {
            Console.WriteLine(Provisioning.Candidate(RequireDir(parse), parse.GetValue(name)!, parse.GetValue(subgroup)!, Addresses(parse, a)).Message);
            return Task.FromResult(0);
        }));
        return command;
    }

    private static Command AdmitCommand()
    {
        var csr = new Option<string>("--csr") { Description = "The candidate's CSR file", Required = true };
        var fingerprint = new Option<string>("--fingerprint") { Description = "The fingerprint the candidate showed (verified against the CSR)", Required = true };
        var output = new Option<string>("--out") { Description = "Where to write the bundle for the candidate", Required = true };
        var command = new Command("admit", "On the controller: approve a candidate's CSR and issue its certificate bundle")
        {
            Dir, csr, fingerprint, PassphraseFile, output,
        };
        command.SetAction(parse => Handle(async () =>
        {
            var passphrase = Passphrase.Read(parse.GetValue(PassphraseFile));
            Console.WriteLine(await Provisioning.Admit(RequireDir(parse), parse.GetValue(csr)!, parse.GetValue(fingerprint)!, passphrase,
                parse.GetValue(output)!, OkvClusterSettings.Create(Config.Empty).NodeCertificateValidity));
            return 0;
        }));
        return command;
    }

    private static Command JoinCommand()
    {
        var bundle = new Option<string>("--bundle") { Description = "The bundle from `okv admit`", Required = true };
        var command = new Command("join", "On the candidate: install the bundle and ask the controller for admission (the candidate is restored if it fails)")
        {
            Dir, bundle, Profile, ConfigFile, ClockOffset, HsmModule, HsmToken, HsmKeyLabel,
        };
        command.SetAction(parse => Handle(async () =>
        {
            var (hsm, pin) = Hsm(parse);
            var config = LoadConfig(parse);
            var settings = OkvClusterSettings.Create(config);
            Console.WriteLine(await Provisioning.Join(RequireDir(parse), parse.GetValue(bundle)!, config, Clock(parse), settings.AdmissionTimeout,
                hsm, pin, recovered: rolledBack => Console.WriteLine($"okv: {rolledBack}")));
            return 0;
        }));
        return command;
    }

    private static Command RunCommand()
    {
        var seeds = new Option<string?>("--seeds") { Description = "Comma-separated seed addresses overriding the recorded ones (env OKV_SEEDS)" };
        var command = new Command("run", "Run a node from its data directory until SIGTERM") { Dir, Profile, ConfigFile, ClockOffset, seeds };
        command.SetAction((parse, token) => Handle(async () =>
        {
            var list = (parse.GetValue(seeds) ?? Env.Get("OKV_SEEDS"))?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return await NodeRunner.Run(RequireDir(parse), LoadConfig(parse), list, token);
        }));
        return command;
    }

    private static Command UpCommand()
    {
        var nodes = new Option<int>("--nodes") { Description = "How many nodes", DefaultValueFactory = _ => 3 };
        var dir = new Option<string>("--dir") { Description = "Where the cluster lives", DefaultValueFactory = _ => "./.okv" };
        var basePort = new Option<int?>("--base-port") { Description = "First remoting port; KMIP, management and HTTPS ports follow at +100, +200, +300" };
        var profile = new Option<string>("--profile") { DefaultValueFactory = _ => OperatorConfig.FastProfile };
        var maxNodes = new Option<int>("--max-nodes") { Description = "The cluster's size limit (2..16)", DefaultValueFactory = _ => ClusterPolicy.HighestMaxNodes };
        var shardCount = ShardCountOption();
        var command = new Command("up", "Start a local cluster of N nodes, each its own process, through the real admission flow")
        {
            nodes, dir, basePort, profile, maxNodes, shardCount,
        };
        command.SetAction((parse, token) => Handle(() =>
            new ClusterLauncher(parse.GetValue(dir)!, parse.GetValue(nodes), parse.GetValue(basePort), parse.GetValue(profile)!,
                parse.GetValue(maxNodes), Console.Out, parse.GetValue(shardCount)).Run(token)));
        return command;
    }

    private static Command IssueCommand()
    {
        var role = new Option<string>("--role") { Description = "endpoint or operator", Required = true };
        var name = new Option<string>("--name") { Required = true };
        var output = new Option<string>("--out") { Description = "Directory for NAME.pem and NAME.key", Required = true };
        var days = new Option<int>("--days") { DefaultValueFactory = _ => 365 };
        var command = new Command("issue", "On a member: issue an endpoint or operator identity from the cluster CA") { Dir, role, name, output, PassphraseFile, days };
        command.SetAction(parse => Handle(() =>
        {
            var which = parse.GetValue(role) switch
            {
                "endpoint" => CertificateRole.Endpoint,
                "operator" => CertificateRole.Operator,
                var other => throw new CliError($"--role must be endpoint or operator, not '{other}'"),
            };
            var passphrase = Passphrase.Read(parse.GetValue(PassphraseFile));
            var (certificate, key) = Provisioning.Issue(RequireDir(parse), which, parse.GetValue(name)!, parse.GetValue(output)!, passphrase,
                TimeSpan.FromDays(parse.GetValue(days)));
            Console.WriteLine($"issued {which.ToString().ToLowerInvariant()} '{parse.GetValue(name)}': {certificate} {key}");
            return Task.FromResult(0);
        }));
        return command;
    }

    private static Command StatusCommand()
    {
        var command = new Command("status", "Show the cluster as this running node sees it") { Dir, Json };
        command.SetAction(parse => Handle(async () =>
        {
            var response = await Provisioning.ControlData(new NodeDirectory(RequireDir(parse)), "status");
            if (parse.GetValue(Json))
            {
                PrintJson(response.Data);
                return 0;
            }

            var data = response.Data!;
            Console.WriteLine($"cluster {data["cluster"]}  node {data["name"]} ({data["subgroup"]})  controller {data["controller"]}  leader {data["leader"]}");
            foreach (var m in data["members"]!.AsArray())
            {
                Console.WriteLine($"  {m!["address"],-40} {m["status"],-8} {(m["reachable"]!.GetValue<bool>() ? "reachable" : "UNREACHABLE"),-12} [{string.Join(", ", m["roles"]!.AsArray().Select(r => r!.ToString()))}]");
            }

            Console.WriteLine($"Count: {data["members"]!.AsArray().Count} nodes");
            Console.WriteLine($"sealed secrets generation {data["sealedSecretsGeneration"]}  KEK {data["kekId"]} (generation {data["kekGeneration"]}{(data["kekRotating"]?.GetValue<bool>() == true ? ", rotating" : "")})");
            return 0;
        }));
        return command;
    }

    private static Command NodeCommand()
    {
        var node = new Command("node", "The controller's node registry and node lifecycle");
        var list = new Command("list", "List the registry: state, subgroup, version, certificate fingerprint") { Dir, Json };
        list.SetAction(parse => Handle(async () =>
        {
            var response = await Provisioning.ControlData(new NodeDirectory(RequireDir(parse)), "registry");
            if (parse.GetValue(Json))
            {
                PrintJson(response.Data);
                return 0;
            }

            var data = response.Data!;
            Console.WriteLine($"registry v{data["version"]}  controller {data["controller"]}");
            foreach (var n in data["nodes"]!.AsArray())
            {
                Console.WriteLine($"  {n!["name"],-10} {n["state"],-13} {n["subgroup"],-8} {n["version"],-8} {Fingerprint.Short(n["fingerprint"]!.GetValue<string>())}  {n["address"]}");
            }

            return 0;
        }));
        node.Subcommands.Add(list);
        foreach (var (verb, action) in new[] { ("disable", "Disable"), ("enable", "Enable"), ("remove", "Remove"), ("force-remove", "ForceRemove") })
        {
            var name = new Option<string>("--name", "-n") { Description = "The node", Required = true };
            var command = new Command(verb, $"{action} a node (through the controller)") { Dir, name };
            command.SetAction(parse => Handle(async () =>
            {
                Console.WriteLine(await Provisioning.Control(new NodeDirectory(RequireDir(parse)), "lifecycle",
                    new() { ["name"] = parse.GetValue(name)!, ["action"] = action }));
                return 0;
            }));
            node.Subcommands.Add(command);
        }

        return node;
    }

    private static Command SubgroupCommand()
    {
        var subgroup = new Command("subgroup", "Subgroups (data centres)");
        var name = new Option<string>("--name") { Required = true };
        var add = new Command("add", "Add a subgroup (through the controller)") { Dir, name };
        add.SetAction(parse => Handle(async () =>
        {
            Console.WriteLine(await Provisioning.Control(new NodeDirectory(RequireDir(parse)), "subgroup-add", new() { ["name"] = parse.GetValue(name)! }));
            return 0;
        }));
        subgroup.Subcommands.Add(add);
        return subgroup;
    }

    private static Command KeyCommand()
    {
        var key = new Command("key", "Keys in the replicated store, through a running node (metadata only, never material)");
        var name = new Option<string>("--name") { Description = "The key's name", Required = true };
        var wallet = new Option<string?>("--wallet") { Description = "The wallet the key joins (default: none)" };
        var create = new Command("create", "Create an AES-256 key (generated on the node, stored wrapped under the cluster KEK)") { Dir, name, wallet, Json };
        create.SetAction(parse => Handle(() => PrintControl(parse, "key-create",
            WithOptional(new() { ["name"] = parse.GetValue(name)! }, "wallet", parse.GetValue(wallet)))));
        key.Subcommands.Add(create);
        foreach (var (verb, command, what) in new[]
                 {
                     ("get", "key-get", "Show a key's metadata"),
                     ("activate", "key-activate", "Activate a key"),
                     ("revoke", "key-revoke", "Revoke a key (cessation of operation)"),
                     ("destroy", "key-destroy", "Destroy a key's material (it must be revoked first)"),
                 })
        {
            var uid = new Option<string>("--uid", "-u") { Description = "The key's UID", Required = true };
            var sub = new Command(verb, what) { Dir, uid, Json };
            sub.SetAction(parse => Handle(() => PrintControl(parse, command, new() { ["uid"] = parse.GetValue(uid)! })));
            key.Subcommands.Add(sub);
        }

        return key;
    }

    private static Command EndpointCommand()
    {
        var endpoint = new Command("endpoint", "Endpoints: clients identified by their certificate (replicated to every node)");
        var name = new Option<string>("--name") { Description = "The endpoint's name", Required = true };
        var cert = new Option<string?>("--cert") { Description = "The endpoint's certificate (PEM); its public-key fingerprint identifies it" };
        var fingerprint = new Option<string?>("--fingerprint") { Description = "The SHA-256 public-key fingerprint instead of --cert" };
        var defaultWallet = new Option<string?>("--default-wallet") { Description = "Where its new objects go (default: its private wallet @NAME)" };
        var add = new Command("add", "Register an endpoint") { Dir, name, cert, fingerprint, defaultWallet, Json };
        add.SetAction(parse => Handle(() =>
        {
            var identity = (parse.GetValue(cert), parse.GetValue(fingerprint)) switch
            {
                ({ } pem, null) => Fingerprint.Of(Pem.ReadCertificate(File.ReadAllText(pem))),
                (null, { } given) => given,
                _ => throw new CliError("give exactly one of --cert or --fingerprint"),
            };
            return PrintControl(parse, "endpoint-add",
                WithOptional(new() { ["name"] = parse.GetValue(name)!, ["fingerprint"] = identity }, "defaultWallet", parse.GetValue(defaultWallet)));
        }));
        var remove = new Command("remove", "Remove an endpoint: it loses every access at once") { Dir, name, Json };
        remove.SetAction(parse => Handle(() => PrintControl(parse, "endpoint-remove", new() { ["name"] = parse.GetValue(name)! })));
        endpoint.Subcommands.Add(add);
        endpoint.Subcommands.Add(remove);
        return endpoint;
    }

    private static Command WalletCommand()
    {
        var wallet = new Command("wallet", "Wallets: named sets of objects that grants refer to");
        var name = new Option<string>("--name") { Description = "The wallet's name", Required = true };
        var description = new Option<string?>("--description") { Description = "What the wallet holds" };
        var create = new Command("create", "Create a wallet") { Dir, name, description, Json };
        create.SetAction(parse => Handle(() => PrintControl(parse, "wallet-create",
            WithOptional(new() { ["name"] = parse.GetValue(name)! }, "description", parse.GetValue(description)))));
        var delete = new Command("delete", "Delete an empty wallet and its grants") { Dir, name, Json };
        delete.SetAction(parse => Handle(() => PrintControl(parse, "wallet-delete", new() { ["name"] = parse.GetValue(name)! })));
        wallet.Subcommands.Add(create);
        wallet.Subcommands.Add(delete);
        return wallet;
    }

    private static Command GrantCommand()
    {
        var endpoint = new Option<string>("--endpoint") { Description = "Who gets the access", Required = true };
        var wallet = new Option<string>("--wallet") { Description = "On which wallet", Required = true };
        var level = new Option<string>("--level") { Description = "read-only, read-modify, manage, or none to revoke", Required = true };
        var command = new Command("grant", "Grant an endpoint access to a wallet (or revoke it with --level none)") { Dir, endpoint, wallet, level, Json };
        command.SetAction(parse => Handle(() => PrintControl(parse, "grant", new()
        {
            ["endpoint"] = parse.GetValue(endpoint)!,
            ["wallet"] = parse.GetValue(wallet)!,
            ["level"] = parse.GetValue(level)!,
        })));
        return command;
    }

    private static Command AccessCommand()
    {
        var command = new Command("access", "Endpoints, wallets and grants as this node holds them") { Dir, Json };
        command.SetAction(parse => Handle(() => PrintControl(parse, "access")));
        return command;
    }

    private static Command AuditCommand()
    {
        var audit = new Command("audit", "This node's append-only, hash-chained audit log");
        var verify = new Command("verify", "Check every entry's hash chain; names the first broken entry") { Dir, Json };
        verify.SetAction(parse => Handle(() => PrintControl(parse, "audit-verify")));
        var output = new Option<string>("--out") { Description = "The JSON-lines file to write", Required = true };
        var export = new Command("export", "Write the log as JSON lines (who, what, object, result, node, time, hashes)") { Dir, output, Json };
        export.SetAction(parse => Handle(() => PrintControl(parse, "audit-export", new() { ["out"] = Path.GetFullPath(parse.GetValue(output)!) })));
        audit.Subcommands.Add(verify);
        audit.Subcommands.Add(export);
        return audit;
    }

    private static Command PassphraseCommand()
    {
        var passphrase = new Command("passphrase", "The recovery passphrase that seals the cluster CA key and KEK");
        var oldFile = new Option<string?>("--passphrase-file")
        {
            Description = "File whose first line is the current passphrase (env OKV_PASSPHRASE_FILE; else a prompt)",
            DefaultValueFactory = _ => Env.Get("OKV_PASSPHRASE_FILE"),
        };
        var newFile = new Option<string?>("--new-passphrase-file")
        {
            Description = "File whose first line is the new passphrase (env OKV_NEW_PASSPHRASE_FILE; else a prompt, asked twice)",
            DefaultValueFactory = _ => Env.Get("OKV_NEW_PASSPHRASE_FILE"),
        };
        var change = new Command("change", "Re-seal the CA key and the KEK under a new passphrase on every node (through this running node)")
        {
            Dir, oldFile, newFile,
        };
        change.SetAction(parse => Handle(async () =>
        {
            var dir = RequireDir(parse);
            var current = Passphrase.Read(parse.GetValue(oldFile));
            var next = Passphrase.Read(parse.GetValue(newFile), confirm: true);
            Console.WriteLine(await PassphraseChange.Run(dir, current, next));
            return 0;
        }));
        passphrase.Subcommands.Add(change);
        return passphrase;
    }

    private static Command SecretsCommand()
    {
        var secrets = new Command("secrets", "The passphrase-sealed secrets on every node");
        var show = new Command("show", "Per member: the generation of its secrets/*.sealed files and the KEK it runs with") { Dir, Json };
        show.SetAction(parse => Handle(() => PrintControl(parse, "secrets-show")));
        secrets.Subcommands.Add(show);
        return secrets;
    }

    private static Command KekCommand()
    {
        var kek = new Command("kek", "The cluster key-encryption key (KEK) and its rotation");
        var passphraseFile = new Option<string?>("--passphrase-file")
        {
            Description = "File whose first line is the recovery passphrase (env OKV_PASSPHRASE_FILE; else a prompt)",
            DefaultValueFactory = _ => Env.Get("OKV_PASSPHRASE_FILE"),
        };
        var rotate = new Command("rotate", "Make a new cluster KEK; every object is re-wrapped under it in the background, then the old KEK retires")
        {
            Dir, passphraseFile,
        };
        rotate.SetAction(parse => Handle(async () =>
        {
            var dir = RequireDir(parse);
            Console.WriteLine(await KekRotation.Run(dir, Passphrase.Read(parse.GetValue(passphraseFile))));
            return 0;
        }));
        var status = new Command("status", "Rotation progress: objects per KEK generation, per shard those left under an older KEK, each member's KEKs")
        {
            Dir, Json,
        };
        status.SetAction(parse => Handle(() => PrintControl(parse, "kek-status")));
        kek.Subcommands.Add(rotate);
        kek.Subcommands.Add(status);
        return kek;
    }

    private static Dictionary<string, string> WithOptional(Dictionary<string, string> args, string name, string? value)
    {
        if (value is not null)
        {
            args[name] = value;
        }

        return args;
    }

    private static Command ShardsCommand()
    {
        var command = new Command("shards", "Per key shard on this node: objects and digest (equal digests, identical replicas)") { Dir, Json };
        command.SetAction(parse => Handle(() => PrintControl(parse, "shards")));
        return command;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static void PrintJson(JsonNode? data) => Console.WriteLine(data?.ToJsonString(Indented) ?? "{}");

    /// <summary>Sends one control command and prints its answer: the data as JSON, or for people the message and fields.</summary>
    private static async Task<int> PrintControl(ParseResult parse, string command, Dictionary<string, string>? args = null)
    {
        var response = await Provisioning.ControlData(new NodeDirectory(RequireDir(parse)), command, args);
        if (parse.GetValue(Json))
        {
            PrintJson(response.Data);
            return 0;
        }

        Console.WriteLine(response.Message);
        if (response.Data is JsonObject data)
        {
            foreach (var (field, value) in data)
            {
                if (value is JsonArray rows && rows.All(r => r is JsonObject))
                {
                    foreach (var row in rows.Cast<JsonObject>())
                    {
                        Console.WriteLine("  " + string.Join("  ", row.Select(kv => $"{kv.Value}")));
                    }
                }
                else
                {
                    Console.WriteLine($"  {field,-12} {value?.ToJsonString().Trim('"')}");
                }
            }
        }

        return 0;
    }

    private static NodeAddresses Addresses(ParseResult parse,
        (Option<string> Host, Option<int> Port, Option<int> Kmip, Option<int> Management, Option<int> Https) a) =>
        new(parse.GetValue(a.Host)!, parse.GetValue(a.Port), parse.GetValue(a.Kmip), parse.GetValue(a.Management), parse.GetValue(a.Https));

    /// <summary>The HSM flags as options and the PIN from the environment, or (null, null) without --hsm-module.</summary>
    private static (HsmOptions? Options, string? Pin) Hsm(ParseResult parse)
    {
        var module = parse.GetValue(HsmModule);
        var token = parse.GetValue(HsmToken);
        var keyLabel = parse.GetValue(HsmKeyLabel);
        if (module is null)
        {
            return token is null && keyLabel is null
                ? (null, null)
                : throw new CliError("--hsm-token and --hsm-key-label need --hsm-module");
        }

        if (token is null)
        {
            throw new CliError("--hsm-module needs --hsm-token LABEL (the token is found by its label)");
        }

        var pin = Env.Get(NodeCredentials.HsmPinVariable)
                  ?? throw new CliError($"--hsm-module needs the token's user PIN in the environment variable {NodeCredentials.HsmPinVariable}");
        var options = new HsmOptions(module, token, keyLabel ?? HsmOptions.DefaultKeyLabel);
        options.Validate();
        return (options, pin);
    }

    private static string RequireDir(ParseResult parse) =>
        parse.GetValue(Dir) is { Length: > 0 } dir ? dir : throw new CliError("--dir is required (or set OKV_DATA_DIR)");

    private static TimeProvider Clock(ParseResult parse) =>
        parse.GetValue(ClockOffset) is var seconds && seconds != 0 ? new OffsetTimeProvider(TimeSpan.FromSeconds(seconds)) : TimeProvider.System;

    private static Config LoadConfig(ParseResult parse)
    {
        var config = OperatorConfig.Load(parse.GetValue(Profile)!, parse.GetValue(ConfigFile));
        var offset = parse.GetValue(ClockOffset);
        return offset == 0
            ? config
            : ConfigurationFactory.ParseString($"okv.node.clock-offset = \"{offset.ToString(System.Globalization.CultureInfo.InvariantCulture)}s\"").WithFallback(config);
    }

    /// <summary>Turns every expected failure into one line on stderr and its exit code.</summary>
    private static async Task<int> Handle(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (CliError e)
        {
            return Fail(e.Message, e.ExitCode);
        }
        catch (WrongPassphraseException e)
        {
            return Fail(e.Message + "; nothing was changed", CliError.Refused);
        }
        catch (HsmException e)
        {
            return Fail(e.Message, e.Failure == HsmFailure.DeviceError ? CliError.Failed : CliError.Refused);
        }
        catch (Exception e) when (e is PkiException or ControlException or InvalidOperationException or IOException or JsonException
                                      or UnauthorizedAccessException or OperationCanceledException)
        {
            return Fail(e.Message, CliError.Failed);
        }
    }

    private static int Fail(string message, int exitCode)
    {
        Console.Error.WriteLine($"okv: error: {message}");
        return exitCode;
    }
}
