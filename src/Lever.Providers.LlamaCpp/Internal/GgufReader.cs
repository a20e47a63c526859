// Bounds-checked little-endian reads over a seekable stream: every read first checks that the bytes exist, so a
// truncated or lying file ends in GgufFormatException (turned into one user error by GgufValidator), never in an
// EndOfStreamException, an overflow or an allocation the size of a forged length.
using System.Buffers.Binary;
using System.Text;

namespace Lever.Providers.LlamaCpp.Internal;

internal sealed class GgufFormatException(string message) : Exception(message);

internal sealed class GgufReader
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _start, _end;            // valid bytes in _buffer
    private long _bufferOffset;          // file offset of _buffer[0]
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    public GgufReader(Stream stream)
    {
        _stream = stream;
        Length = stream.Length;
        _bufferOffset = stream.Position;
    }

    public long Length { get; }

    public long Position => _bufferOffset + _start;

    public long Remaining => Length - Position;

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > Remaining) throw new GgufFormatException($"truncated: {what} needs {count} bytes at offset {Position}, the file ends at {Length}");
        if (_end - _start < count)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _bufferOffset += _start;
            _end -= _start;
            _start = 0;
            while (_end < count)
            {
                var n = _stream.Read(_buffer, _end, _buffer.Length - _end);
                if (n == 0) throw new GgufFormatException($"truncated: {what} needs {count} bytes at offset {Position}, the stream ended");
                _end += n;
            }
        }
        var span = _buffer.AsSpan(_start, count);
        _start += count;
        return span;
    }

    private void Skip(long count, string what)
    {
        if (count > Remaining) throw new GgufFormatException($"truncated: {what} needs {count} bytes at offset {Position}, the file ends at {Length}");
        var buffered = _end - _start;
        if (count <= buffered)
        {
            _start += (int)count;
            return;
        }
        var target = Position + count;
        _stream.Seek(target, SeekOrigin.Begin);
        _bufferOffset = target;
        _start = _end = 0;
    }

    public byte U8(string what) => Take(1, what)[0];
    public uint U32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));
    public ulong U64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what));
    public ReadOnlySpan<byte> Bytes(int count, string what) => Take(count, what);

    /// <summary>A GGUF string: uint64 length, then that many UTF-8 bytes (at most <paramref name="maxBytes"/>).</summary>
    public string String(string what, int maxBytes, bool strict = true)
    {
        var length = U64(what + " length");
        if (length > (ulong)maxBytes) throw new GgufFormatException($"{what} claims {length} bytes; the limit is {maxBytes}");
        if ((long)length > Remaining) throw new GgufFormatException($"truncated: {what} claims {length} bytes at offset {Position}, the file ends at {Length}");
        if (length == 0) return "";
        var n = (int)length;
        if (n <= _buffer.Length) return Decode(Take(n, what), what, strict);
        var big = new byte[n];
        var copied = 0;
        while (copied < n)
        {
            var chunk = Math.Min(_buffer.Length, n - copied);
            Take(chunk, what).CopyTo(big.AsSpan(copied));
            copied += chunk;
        }
        return Decode(big, what, strict);
    }

    /// <summary>Skips a GGUF string after checking its length (array elements nobody needs as text).</summary>
    public void SkipString(string what, int maxBytes)
    {
        var length = U64(what + " length");
        if (length > (ulong)maxBytes) throw new GgufFormatException($"{what} claims {length} bytes; the limit is {maxBytes}");
        Skip((long)length, what);
    }

    public void SkipBytes(long count, string what) => Skip(count, what);

    private static string Decode(ReadOnlySpan<byte> bytes, string what, bool strict)
    {
        if (!strict) return Encoding.UTF8.GetString(bytes);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new GgufFormatException($"{what} is not valid UTF-8");
        }
    }
}
