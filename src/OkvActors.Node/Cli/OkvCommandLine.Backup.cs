using System.CommandLine;
using Akka.Configuration;
using OkvActors.Cluster;
using OkvActors.Cluster.Control;
using OkvActors.Cluster.Storage;
using OkvActors.Node.Commands;

namespace OkvActors.Node.Cli;

/// <summary>`okv backup` (through a running node's control socket) and `okv restore` (a new cluster from an archive).</summary>
public static partial class OkvCommandLine
{
    private static Command BackupCommand()
    {
        var output = new Option<string>("--out") { Description = "The archive file to write (replaced if it exists)", Required = true };
        var command = new Command("backup",
            "Write an encrypted archive of the running node's cluster (objects, access registry, controller registry, audit head) without stopping it")
        {
            Dir, output, Json,
        };
        command.SetAction(parse => Handle(async () =>
        {
            var dir = new NodeDirectory(RequireDir(parse));
            var response = await ControlClient.SendAsync(dir.ControlSocket,
                new ControlRequest("backup", new() { ["out"] = Path.GetFullPath(parse.GetValue(output)!) }), ControlHandler.BackupTimeout);
            if (!response.Ok)
            {
                throw new CliError(response.Message, CliError.Refused);
            }

            if (parse.GetValue(Json))
            {
                PrintJson(response.Data);
            }
            else
            {
                Console.WriteLine(response.Message);
            }

            return 0;
        }));
        return command;
    }

    private static Command RestoreCommand()
    {
        var defaults = OkvClusterSettings.Create(Config.Empty);
        var archive = new Option<string>("--archive") { Description = "The archive `okv backup` wrote", Required = true };
        var name = new Option<string>("--name") { Description = "The new controller node's name", Required = true };
        var subgroup = new Option<string?>("--subgroup") { Description = "Its subgroup (default: the archived cluster's first)" };
        var a = AddressOptions();
        var command = new Command("restore",
            "Bring an archive up as a new cluster in a new, empty directory: same CA, KEK, objects and access; a new controller node " +
            "(needs the recovery passphrase that was current when the archive was made)")
        {
            archive, Dir, name, subgroup, a.Host, a.Port, a.Kmip, a.Management, a.Https, PassphraseFile,
        };
        command.SetAction(parse => Handle(async () =>
        {
            var dir = RequireDir(parse);
            var passphrase = Passphrase.Read(parse.GetValue(PassphraseFile));
            Console.WriteLine(await Restore.Run(parse.GetValue(archive)!, dir, parse.GetValue(name)!, parse.GetValue(subgroup), Addresses(parse, a),
                passphrase, defaults.NodeCertificateValidity));
            return 0;
        }));
        return command;
    }
}
