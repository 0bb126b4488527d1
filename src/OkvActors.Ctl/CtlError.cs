namespace OkvActors.Ctl;

/// <summary>A failure okvctl reports as one line on stderr with a non-zero exit code.</summary>
public sealed class CtlError(string message, int exitCode = CtlError.Failed) : Exception(message)
{
    /// <summary>The node answered, but refused or failed the command; or it could not be reached.</summary>
    public const int Failed = 1;

    /// <summary>The command line itself was wrong; nothing was sent.</summary>
    public const int Usage = 2;

    public int ExitCode { get; } = exitCode;
}
