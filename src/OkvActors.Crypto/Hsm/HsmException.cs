namespace OkvActors.Crypto.Hsm;

/// <summary>Why the HSM did not seal or unseal the cluster KEK.</summary>
public enum HsmFailure
{
    /// <summary>The PKCS#11 module file is missing or could not be loaded.</summary>
    ModuleNotFound,

    /// <summary>No token (or more than one) carries the configured label.</summary>
    TokenNotFound,

    /// <summary>The token refused the user PIN (wrong, locked, or malformed).</summary>
    PinRefused,

    /// <summary>The token holds no secret key with the configured label (or more than one).</summary>
    KeyNotFound,

    /// <summary>A key with the label exists but is not a non-extractable AES encrypt/decrypt key.</summary>
    KeyUnsuitable,

    /// <summary>The blob is not a KEK sealed by this HSM key: another key or token sealed it, or it was altered.</summary>
    BlobRefused,

    /// <summary>The module or token failed in a way none of the above describes.</summary>
    DeviceError,
}

/// <summary>
/// The HSM could not seal or unseal the cluster KEK. The message is one line naming the module,
/// token or key label and what went wrong; it never carries the PIN, the KEK or blob bytes.
/// </summary>
public sealed class HsmException(HsmFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public HsmFailure Failure { get; } = failure;
}
