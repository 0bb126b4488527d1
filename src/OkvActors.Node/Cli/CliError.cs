namespace OkvActors.Node.Cli;

/// <summary>A failure the CLI reports as one line on stderr with a non-zero exit code.</summary>
public sealed class CliError(string message, int exitCode = CliError.Failed) : Exception(message)
{
    public const int Failed = 1;
    public const int Refused = 3;

    public int ExitCode { get; } = exitCode;
}
