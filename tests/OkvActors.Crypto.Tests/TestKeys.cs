using OkvActors.Crypto.Keys;
using Xunit;

namespace OkvActors.Crypto.Tests;

/// <summary>Key pairs generated once per test run and shared (read-only) by the test classes.</summary>
internal static class TestKeys
{
    private static readonly Lazy<KeyPair> LazyRsa = new(() => KeyGenerator.Rsa(2048));
    private static readonly Lazy<KeyPair> LazyOtherRsa = new(() => KeyGenerator.Rsa(2048));
    private static readonly Lazy<KeyPair> LazyP256 = new(() => KeyGenerator.Ec(EcCurve.P256));
    private static readonly Lazy<KeyPair> LazyP384 = new(() => KeyGenerator.Ec(EcCurve.P384));
    private static readonly Lazy<KeyPair> LazyP521 = new(() => KeyGenerator.Ec(EcCurve.P521));

    public static KeyPair Rsa => LazyRsa.Value;

    public static KeyPair OtherRsa => LazyOtherRsa.Value;

    public static KeyPair P256 => LazyP256.Value;

    public static KeyPair P384 => LazyP384.Value;

    public static KeyPair P521 => LazyP521.Value;

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    /// <summary>The exception's message must not carry the given bytes in any usual text form.</summary>
    public static void AssertNoBytesIn(Exception exception, ReadOnlySpan<byte> bytes)
    {
        var text = exception.ToString();
        Assert.DoesNotContain(Convert.ToHexStringLower(bytes), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToBase64String(bytes), text, StringComparison.Ordinal);
    }
}
