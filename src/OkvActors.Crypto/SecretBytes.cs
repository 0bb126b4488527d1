using System.Security.Cryptography;

namespace OkvActors.Crypto;

/// <summary>
/// Arrays for key material: allocated on the pinned object heap, so the GC never moves them and
/// leaves a stale copy behind, and zeroing the array really removes the key from managed memory.
/// </summary>
internal static class SecretBytes
{
    public static byte[] Allocate(int length) => length == 0 ? [] : GC.AllocateArray<byte>(length, pinned: true);

    public static byte[] Copy(ReadOnlySpan<byte> source)
    {
        var copy = Allocate(source.Length);
        source.CopyTo(copy);
        return copy;
    }

    public static byte[] Random(int length)
    {
        var bytes = Allocate(length);
        RandomNumberGenerator.Fill(bytes);
        return bytes;
    }
}
