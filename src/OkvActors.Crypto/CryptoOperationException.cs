namespace OkvActors.Crypto;

/// <summary>What a crypto operation refused, so a protocol layer (KMIP, REST) can map it to its own result reason.</summary>
public enum CryptoProblem
{
    /// <summary>The algorithm, mode, length or curve is not one this library offers.</summary>
    Unsupported,

    /// <summary>The key has the wrong length or type, or is not a well-formed key.</summary>
    InvalidKey,

    /// <summary>An IV, nonce, ciphertext, plaintext or associated data has the wrong shape for the operation.</summary>
    InvalidInput,

    /// <summary>Decryption refused the data: the authentication tag or the padding did not check out.</summary>
    DecryptionFailed,
}

/// <summary>
/// A key generation or crypto operation that cannot be done with the given inputs; the message names
/// the problem (never any key, plaintext or ciphertext bytes) and <see cref="Problem"/> classifies it.
/// </summary>
public sealed class CryptoOperationException(CryptoProblem problem, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public CryptoProblem Problem { get; } = problem;
}
