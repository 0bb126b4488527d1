using System.Security.Cryptography;

namespace OkvActors.Crypto.Operations;

public enum MacAlgorithm
{
    HmacSha256,
    HmacSha384,
    HmacSha512,
}

/// <summary>HMAC with an unwrapped key of any non-empty length; verification compares in constant time.</summary>
public static class Mac
{
    /// <summary>The MAC's length in bytes: 32, 48 or 64.</summary>
    public static int Length(MacAlgorithm algorithm) => algorithm switch
    {
        MacAlgorithm.HmacSha256 => HMACSHA256.HashSizeInBytes,
        MacAlgorithm.HmacSha384 => HMACSHA384.HashSizeInBytes,
        MacAlgorithm.HmacSha512 => HMACSHA512.HashSizeInBytes,
        _ => throw new CryptoOperationException(CryptoProblem.Unsupported,
            $"MAC algorithm {(int)algorithm} is not one this library offers (HMAC-SHA256, HMAC-SHA384, HMAC-SHA512)"),
    };

    public static byte[] Compute(MacAlgorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data)
    {
        var mac = new byte[Length(algorithm)];
        Write(algorithm, key, data, mac);
        return mac;
    }

    /// <summary>True when <paramref name="mac"/> is the full MAC of <paramref name="data"/>; compared in constant time.</summary>
    public static bool Verify(MacAlgorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> mac)
    {
        Span<byte> expected = stackalloc byte[Length(algorithm)];
        try
        {
            Write(algorithm, key, data, expected);
            return CryptographicOperations.FixedTimeEquals(expected, mac);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(expected);
        }
    }

    private static void Write(MacAlgorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (key.IsEmpty)
        {
            throw new CryptoOperationException(CryptoProblem.InvalidKey, "HMAC keys cannot be empty");
        }

        _ = algorithm switch
        {
            MacAlgorithm.HmacSha256 => HMACSHA256.HashData(key, data, destination),
            MacAlgorithm.HmacSha384 => HMACSHA384.HashData(key, data, destination),
            _ => HMACSHA512.HashData(key, data, destination),
        };
    }
}
