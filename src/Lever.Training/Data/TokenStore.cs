using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Lever.Training.Data;

/// <summary>
/// Tokenized examples on disk, read back by random access: <c>tokens.bin</c> (int32 ids), <c>flags.bin</c>
/// (one byte per token: 1 = carries loss) and <c>offsets.bin</c> (int64 start of each example, plus the end).
/// This is what keeps a 10 GB dataset out of memory while still allowing a seeded shuffle (only the offsets,
/// 8 bytes per example, are held in memory).
/// </summary>
public sealed class TokenStore : IDisposable
{
    private readonly SafeFileHandle _tokens;
    private readonly SafeFileHandle _flags;
    private readonly long[] _offsets;

    private TokenStore(string dir)
    {
        Directory = dir;
        var raw = File.ReadAllBytes(Path.Combine(dir, "offsets.bin"));
        _offsets = new long[raw.Length / 8];
        for (int i = 0; i < _offsets.Length; i++) _offsets[i] = BinaryPrimitives.ReadInt64LittleEndian(raw.AsSpan(i * 8));
        _tokens = File.OpenHandle(Path.Combine(dir, "tokens.bin"));
        _flags = File.OpenHandle(Path.Combine(dir, "flags.bin"));
    }

    /// <summary>The folder holding the three files.</summary>
    public string Directory { get; }

    /// <summary>Number of examples.</summary>
    public int Count => _offsets.Length - 1;

    /// <summary>Total tokens over all examples.</summary>
    public long TotalTokens => _offsets[^1];

    /// <summary>Length in tokens of example <paramref name="index"/>.</summary>
    public int Length(int index) => (int)(_offsets[index + 1] - _offsets[index]);

    /// <summary>Opens a store written by <see cref="Writer"/>.</summary>
    public static TokenStore Open(string dir) => new(dir);

    /// <summary>Reads <paramref name="count"/> tokens from global token position <paramref name="start"/> (across example boundaries).</summary>
    public (int[] Ids, bool[] Trainable) ReadSpan(long start, int count)
    {
        var bytes = new byte[count * 4];
        RandomAccess.Read(_tokens, bytes, start * 4);
        var flagBytes = new byte[count];
        RandomAccess.Read(_flags, flagBytes, start);
        var ids = new int[count];
        var trainable = new bool[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i * 4));
            trainable[i] = flagBytes[i] != 0;
        }
        return (ids, trainable);
    }

    /// <summary>Example <paramref name="index"/>, at most <paramref name="maxLength"/> tokens of it.</summary>
    public (int[] Ids, bool[] Trainable) ReadExample(int index, int maxLength = int.MaxValue) =>
        ReadSpan(_offsets[index], Math.Min(Length(index), maxLength));

    /// <inheritdoc />
    public void Dispose()
    {
        _tokens.Dispose();
        _flags.Dispose();
    }

    /// <summary>Appends examples to a new store; <see cref="Complete"/> makes it readable.</summary>
    public sealed class Writer : IDisposable
    {
        private readonly string _dir;
        private readonly BufferedStream _tokens;
        private readonly BufferedStream _flags;
        private readonly BufferedStream _offsets;
        private long _position;
        private bool _completed;

        /// <summary>Creates (or truncates) a store in <paramref name="dir"/>.</summary>
        public Writer(string dir)
        {
            _dir = dir;
            System.IO.Directory.CreateDirectory(dir);
            _tokens = new BufferedStream(File.Create(Path.Combine(dir, "tokens.bin")), 1 << 16);
            _flags = new BufferedStream(File.Create(Path.Combine(dir, "flags.bin")), 1 << 16);
            _offsets = new BufferedStream(File.Create(Path.Combine(dir, "offsets.bin")), 1 << 16);
            WriteOffset(0);
        }

        /// <summary>Number of examples appended so far.</summary>
        public int Count { get; private set; }

        /// <summary>Appends one example.</summary>
        public void Add(IReadOnlyList<int> ids, IReadOnlyList<bool> trainable)
        {
            Span<byte> four = stackalloc byte[4];
            for (int i = 0; i < ids.Count; i++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(four, ids[i]);
                _tokens.Write(four);
                _flags.WriteByte(trainable[i] ? (byte)1 : (byte)0);
            }
            _position += ids.Count;
            WriteOffset(_position);
            Count++;
        }

        /// <summary>Flushes everything and writes the marker that says the store is whole.</summary>
        public void Complete()
        {
            _tokens.Flush();
            _flags.Flush();
            _offsets.Flush();
            _completed = true;
            Dispose();
            File.WriteAllText(Path.Combine(_dir, "complete"), Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        private void WriteOffset(long value)
        {
            Span<byte> eight = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(eight, value);
            _offsets.Write(eight);
        }

        /// <inheritdoc />
        public void Dispose()
        {
            _tokens.Dispose();
            _flags.Dispose();
            _offsets.Dispose();
            if (!_completed) File.Delete(Path.Combine(_dir, "complete"));
        }
    }
}
