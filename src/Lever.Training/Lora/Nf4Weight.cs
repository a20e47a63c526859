// 4-bit NormalFloat storage (Dettmers et al. 2023, "QLoRA: Efficient Finetuning of Quantized LLMs", §3): weights in
// blocks of 64, each block scaled by its absmax into [-1, 1] and rounded to the nearest of 16 NF4 levels (quantiles
// of N(0,1), with an exact zero). Two 4-bit codes per byte. With double quantization the per-block float32 absmax
// values are themselves quantized (8-bit, blocks of 256, after subtracting their mean), cutting the scale overhead
// from 0.5 to about 0.127 bits per weight. The paper stores the second level as FP8; we use symmetric int8, which
// is as small and easier to verify.
using static TorchSharp.torch;

namespace Lever.Training.Lora;

/// <summary>A weight matrix held in NF4: packed codes plus block scales; <see cref="Dequantize"/> gives it back in float32.</summary>
public sealed class Nf4Weight : IDisposable
{
    /// <summary>Weights per absmax block (the paper's 64).</summary>
    public const int BlockSize = 64;

    /// <summary>Absmax values per second-level block with double quantization (the paper's 256).</summary>
    public const int ScaleBlockSize = 256;

    /// <summary>The NF4 code book from the QLoRA paper (Appendix E) / bitsandbytes, ascending.</summary>
    public static readonly float[] CodeBook =
    [
        -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
        -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
        0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
        0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f,
    ];

    private readonly Tensor _codes;          // (n/2,) uint8: high nibble = even element, low nibble = odd element
    private readonly Tensor? _absmax;        // (blocks,) float32 — without double quantization
    private readonly Tensor? _absmaxCodes;   // (blocks,) int8 — with double quantization
    private readonly Tensor? _absmaxScales;  // (blocks/256,) float32
    private readonly float _absmaxOffset;

    private Nf4Weight(long[] shape, long count, Tensor codes, Tensor? absmax, Tensor? absmaxCodes, Tensor? absmaxScales, float offset)
    {
        Shape = shape;
        Count = count;
        _codes = codes;
        _absmax = absmax;
        _absmaxCodes = absmaxCodes;
        _absmaxScales = absmaxScales;
        _absmaxOffset = offset;
    }

    /// <summary>Shape of the original matrix.</summary>
    public long[] Shape { get; }

    /// <summary>Number of weights.</summary>
    public long Count { get; }

    /// <summary>True when the block scales are double-quantized.</summary>
    public bool DoubleQuantized => _absmaxCodes is not null;

    /// <summary>Device of the stored codes.</summary>
    public Device Device => _codes.device;

    /// <summary>Bytes this storage occupies (codes + scales), to compare with 4 bytes per float32 weight.</summary>
    public long StorageBytes => _codes.numel() + (_absmax?.numel() * 4 ?? 0) + (_absmaxCodes?.numel() ?? 0) + (_absmaxScales?.numel() * 4 ?? 0) + 4;

    /// <summary>Quantizes <paramref name="weight"/> (any float dtype) to NF4.</summary>
    public static Nf4Weight Quantize(Tensor weight, bool doubleQuantize = false)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long n = weight.numel();
        long blocks = (n + BlockSize - 1) / BlockSize;
        var flat = weight.detach().to(ScalarType.Float32).flatten();
        if (blocks * BlockSize != n) flat = nn.functional.pad(flat, [0, blocks * BlockSize - n]);
        var w = flat.view(blocks, BlockSize);                                             // (blocks, 64)
        var absmax = w.abs().amax([1]).clamp_min(1e-12f);                                  // (blocks,)
        var normalized = (w / absmax.unsqueeze(1)).clamp(-1f, 1f);                         // (blocks, 64) in [-1, 1]
        // Nearest level = number of midpoints below the value (the code book is sorted).
        var book = tensor(CodeBook, device: weight.device);
        var midpoints = (book[..^1] + book[1..]) / 2;                                      // (15,)
        var codes = searchsorted(midpoints, normalized.flatten().contiguous(), out_int32: true); // (n',) in 0..15
        var pairs = codes.view(-1, 2);
        var packed = (pairs[.., 0].bitwise_left_shift(4) | pairs[.., 1]).to(ScalarType.Byte);   // (n'/2,)

        if (!doubleQuantize)
            return new Nf4Weight(weight.shape, n, packed.MoveToOuterDisposeScope(), absmax.MoveToOuterDisposeScope(), null, null, 0);

        float offset = absmax.mean().item<float>();
        long scaleBlocks = (blocks + ScaleBlockSize - 1) / ScaleBlockSize;
        var centred = absmax - offset;
        if (scaleBlocks * ScaleBlockSize != blocks) centred = nn.functional.pad(centred, [0, scaleBlocks * ScaleBlockSize - blocks]);
        var grouped = centred.view(scaleBlocks, ScaleBlockSize);
        var scales = grouped.abs().amax([1]).clamp_min(1e-12f) / 127f;                      // (scaleBlocks,)
        var q = (grouped / scales.unsqueeze(1)).round().clamp(-127, 127).to(ScalarType.Int8).flatten()[..(int)blocks];
        return new Nf4Weight(weight.shape, n, packed.MoveToOuterDisposeScope(), null, q.contiguous().MoveToOuterDisposeScope(), scales.MoveToOuterDisposeScope(), offset);
    }

    /// <summary>The block scales in float32 (undoing the second-level quantization when present).</summary>
    public Tensor BlockScales()
    {
        if (_absmax is not null) return _absmax;
        long blocks = _absmaxCodes!.numel();
        var expanded = _absmaxScales!.repeat_interleave(ScaleBlockSize)[..(int)blocks];
        return _absmaxCodes.to(ScalarType.Float32) * expanded + _absmaxOffset;
    }

    /// <summary>The matrix in float32 (transient: computed on every call, as QLoRA does in each forward).</summary>
    public Tensor Dequantize()
    {
        // Its own scope, and one lookup per byte in a 256 × 2 table of level pairs: the index tensor is a quarter
        // of the result's size and nothing outlives this call but the result.
        using var scope = NewDisposeScope();
        var pairs = PairTable(_codes.device);                                                  // (256, 2)
        var values = pairs.index_select(0, _codes.to(ScalarType.Int32)).view(-1, BlockSize);  // (blocks, 64)
        values.mul_(BlockScales().unsqueeze(1));
        return values.flatten()[..(int)Count].view(Shape).MoveToOuterDisposeScope();
    }

    /// <summary>Row b holds the two levels a byte b encodes: (CodeBook[b >> 4], CodeBook[b &amp; 15]).</summary>
    private static Tensor PairTable(Device device)
    {
        var table = new float[512];
        for (int b = 0; b < 256; b++)
        {
            table[2 * b] = CodeBook[b >> 4];
            table[2 * b + 1] = CodeBook[b & 15];
        }
        return tensor(table, [256, 2], device: device);
    }

    /// <summary>Moves the storage to <paramref name="device"/>.</summary>
    internal Nf4Weight To(Device device) => new(Shape, Count, _codes.to(device), _absmax?.to(device), _absmaxCodes?.to(device), _absmaxScales?.to(device), _absmaxOffset);

    /// <inheritdoc />
    public void Dispose()
    {
        _codes.Dispose();
        _absmax?.Dispose();
        _absmaxCodes?.Dispose();
        _absmaxScales?.Dispose();
    }
}
