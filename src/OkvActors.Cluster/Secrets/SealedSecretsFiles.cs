using OkvActors.Cluster.Storage;

namespace OkvActors.Cluster.Secrets;

/// <summary>
/// A node's passphrase-sealed files and the generation they carry. Each file is replaced atomically
/// (an owner-only temporary file, flushed, then renamed over the old one), the generation file last:
/// a crash part-way leaves files of the old or the new generation, never half a file, and a node that
/// finds its generation file behind simply writes the same generation again.
/// </summary>
public static class SealedSecretsFiles
{
    /// <summary>The generation of the files and who published it; (0, "") for what `okv init` or admission wrote.</summary>
    public static (long Generation, string Writer) ReadGeneration(NodeDirectory dir)
    {
        if (!File.Exists(dir.SealedGenerationFile))
        {
            return (0, "");
        }

        var parts = File.ReadAllText(dir.SealedGenerationFile).Trim().Split(' ', 2);
        return long.TryParse(parts[0], out var generation) ? (generation, parts.Length > 1 ? parts[1] : "") : (0, "");
    }

    /// <summary>Whether <paramref name="state"/> is newer than the files: higher generation, or the same one won by a later writer.</summary>
    public static bool IsNewer(SealedSecretsState state, (long Generation, string Writer) files) =>
        state.Generation > files.Generation
        || (state.Generation == files.Generation && string.CompareOrdinal(state.Writer, files.Writer) > 0);

    /// <param name="includeKek">
    /// False when the record's KEK is no longer this node's current one (a rotation came after): the CA key
    /// still moves to the new passphrase, kek.sealed stays the rotation's.
    /// </param>
    public static void Write(NodeDirectory dir, SealedSecretsState state, bool includeKek = true)
    {
        Directory.CreateDirectory(dir.SecretsDir);
        ReplaceAtomically(dir.SealedCaKeyFile, state.SealedCaKey);
        if (includeKek)
        {
            ReplaceAtomically(dir.SealedKekFile, state.SealedKek);
        }

        ReplaceAtomically(dir.SealedGenerationFile, System.Text.Encoding.UTF8.GetBytes($"{state.Generation} {state.Writer}\n"));
    }

    internal static void ReplaceAtomically(string path, byte[] content)
    {
        var temp = path + ".tmp";
        File.Delete(temp);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
