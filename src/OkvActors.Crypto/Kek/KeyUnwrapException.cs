namespace OkvActors.Crypto.Kek;

/// <summary>Why wrapped key material could not be unwrapped.</summary>
public enum KeyUnwrapFailure
{
    /// <summary>Shorter than the version byte, nonce and tag.</summary>
    TooShort,

    /// <summary>The version byte is not one this library writes.</summary>
    UnknownFormat,

    /// <summary>The authentication tag did not check out.</summary>
    AuthenticationFailed,

    /// <summary>The blob names a KEK other than the one (or none of those) asked to open it.</summary>
    OtherKek,
}

/// <summary>
/// Wrapped key material did not open: it was wrapped under another KEK or for another UID, or it was
/// altered. The message names the UID and the reason, never any bytes of the blob.
/// </summary>
public sealed class KeyUnwrapException(string uid, KeyUnwrapFailure failure)
    : Exception($"cannot unwrap the key material of '{uid}' ({Describe(failure)}): it was wrapped under another KEK " +
        "or for another UID, or it was altered")
{
    public string Uid { get; } = uid;

    public KeyUnwrapFailure Failure { get; } = failure;

    private static string Describe(KeyUnwrapFailure failure) => failure switch
    {
        KeyUnwrapFailure.TooShort => "too short to be wrapped key material",
        KeyUnwrapFailure.UnknownFormat => "unknown format version",
        KeyUnwrapFailure.OtherKek => "it names a KEK this node does not hold",
        _ => "authentication failed",
    };
}
