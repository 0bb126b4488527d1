namespace OkvActors.Backup;

/// <summary>Why an archive was refused; each has its own message so an operator knows what to do.</summary>
public enum BackupArchiveProblem
{
    /// <summary>The file does not start with the archive signature (another file, or not ours).</summary>
    NotAnArchive,

    /// <summary>The file ends before the archive does (an interrupted copy, a full disk).</summary>
    Truncated,

    /// <summary>A part does not authenticate, or parts are out of order or from another archive.</summary>
    Tampered,

    /// <summary>The recovery passphrase does not open the archived KEK.</summary>
    WrongPassphrase,

    /// <summary>Written by a newer OkvActors than the one reading it.</summary>
    NewerVersion,

    /// <summary>An archive format version this software does not know.</summary>
    UnknownFormatVersion,

    /// <summary>Opened with a KEK other than the one the archive was made under.</summary>
    OtherKek,
}

/// <summary>
/// An archive could not be read (or was refused). The message names the problem and, for versions, both
/// versions; it never carries key material or archive bytes.
/// </summary>
public sealed class BackupArchiveException(BackupArchiveProblem problem, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public BackupArchiveProblem Problem { get; } = problem;
}
