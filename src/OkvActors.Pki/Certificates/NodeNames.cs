using System.Text.RegularExpressions;

namespace OkvActors.Pki.Certificates;

/// <summary>Names of nodes, subgroups, clusters and identities: short, DNS-label-like, never changed.</summary>
public static partial class NodeNames
{
    [GeneratedRegex(@"^[a-z][a-z0-9-]{0,62}\z")]
    private static partial Regex Pattern();

    public static bool IsValid(string name) => Pattern().IsMatch(name);

    public static string Validate(string name, string what = "node name")
    {
        if (!IsValid(name))
        {
            throw new PkiException(
                $"'{name}' is not a valid {what}: use 1-63 lower-case letters, digits or '-', starting with a letter");
        }

        return name;
    }
}
