using OkvActors.Pki.Sealing;

namespace OkvActors.Node.Cli;

/// <summary>Reads the recovery passphrase from a file (first line) or, on a terminal, a silent prompt.</summary>
public static class Passphrase
{
    public static string Read(string? file, bool confirm = false)
    {
        string passphrase;
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                throw new CliError($"passphrase file {file} does not exist");
            }

            passphrase = File.ReadLines(file).FirstOrDefault()?.TrimEnd('\r') ?? "";
        }
        else if (!Console.IsInputRedirected)
        {
            passphrase = Prompt("Recovery passphrase: ");
            if (confirm && Prompt("Repeat it: ") != passphrase)
            {
                throw new CliError("the two passphrases differ; nothing was changed");
            }
        }
        else
        {
            throw new CliError("no passphrase: pass --passphrase-file FILE (stdin is not a terminal)");
        }

        if (confirm)
        {
            PassphraseSeal.CheckStrength(passphrase);
        }

        return passphrase;
    }

    private static string Prompt(string label)
    {
        Console.Error.Write(label);
        var chars = new List<char>();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return new string(chars.ToArray());
            }

            if (key.Key == ConsoleKey.Backspace && chars.Count > 0)
            {
                chars.RemoveAt(chars.Count - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                chars.Add(key.KeyChar);
            }
        }
    }
}
