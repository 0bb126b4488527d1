namespace OkvActors.Kmip.Tests.Support;

/// <summary>Hex in the spec's notation: spaces and '|' separators are ignored.</summary>
public static class Hex
{
    public static byte[] Parse(string text) =>
        Convert.FromHexString(new string(text.Where(Uri.IsHexDigit).ToArray()));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}
