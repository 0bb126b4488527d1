namespace OkvActors.Endpoints.Management;

/// <summary>The line was longer than the listener accepts.</summary>
public sealed class LineTooLongException(int limit) : Exception($"a request line over {limit} bytes");

/// <summary>
/// Reads newline-terminated lines from a stream, refusing a line longer than a limit before buffering
/// more of it: StreamReader.ReadLine would grow without bound for a client that never sends a newline.
/// </summary>
public sealed class BoundedLineReader(Stream stream, int maxLineBytes)
{
    private readonly byte[] _buffer = new byte[Math.Max(4096, maxLineBytes + 1)];
    private int _start;
    private int _end;

    /// <summary>The next line without its terminator (UTF-8), or null at the end of the stream.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = System.Text.Encoding.UTF8.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                _start = newline + 1;
                return line;
            }

            if (_end - _start > maxLineBytes)
            {
                throw new LineTooLongException(maxLineBytes);
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                return null;
            }

            _end += read;
        }
    }
}
