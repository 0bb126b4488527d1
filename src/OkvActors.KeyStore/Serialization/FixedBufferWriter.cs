using System.Buffers;

namespace OkvActors.KeyStore.Serialization;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over an array sized in advance: a message is encoded straight into the bytes that
/// are sent, without a growing buffer and a copy. Asking for more than is left is a sizing error, not a reason to grow.
/// </summary>
internal sealed class FixedBufferWriter(byte[] buffer, int start) : IBufferWriter<byte>
{
    public int Position { get; private set; } = start;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, buffer.Length - Position);
        Position += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => buffer.AsMemory(Position, Checked(sizeHint));

    public Span<byte> GetSpan(int sizeHint = 0) => buffer.AsSpan(Position, Checked(sizeHint));

    private int Checked(int sizeHint) => sizeHint <= buffer.Length - Position
        ? buffer.Length - Position
        : throw new InvalidOperationException($"{sizeHint} bytes asked for, {buffer.Length - Position} left of a message sized in advance");
}
