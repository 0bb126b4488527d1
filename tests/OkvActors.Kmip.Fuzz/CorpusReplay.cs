namespace OkvActors.Kmip.Fuzz;

/// <summary>
/// Runs every file of a corpus (or crash) directory through <see cref="DecodeTarget"/> in-process, without any fuzzer
/// installed: a regression check for the seed corpus and for crashes AFL found. Exit code 1 if anything escaped.
/// </summary>
internal static class CorpusReplay
{
    public static int Run(string directory)
    {
        if (!Directory.Exists(directory))
        {
            Console.Error.WriteLine($"No such directory: {directory}");
            return 2;
        }

        var files = Directory.GetFiles(directory, "*", SearchOption.AllDirectories);
        var escaped = 0;
        foreach (var file in files)
        {
            try
            {
                DecodeTarget.Decode(File.ReadAllBytes(file));
            }
            catch (Exception ex)
            {
                escaped++;
                Console.Error.WriteLine($"{file}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        Console.WriteLine($"{files.Length} inputs, {escaped} escaped the decoder's exceptions");
        return escaped == 0 ? 0 : 1;
    }
}
