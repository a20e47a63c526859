// "BF16 where supported": libtorch computes bfloat16 on any CPU, but without native instructions it emulates them
// and is slower than float32, so Lever only trains in bfloat16 where the CPU has them (x86: AVX512_BF16 or AMX-BF16,
// which oneDNN uses for bfloat16 matmuls; Arm: the BF16 extension) and a small bfloat16 matmul gives the right answer.
using static TorchSharp.torch;

namespace Lever.Training.Precision;

/// <summary>Detects whether this machine trains in bfloat16 natively.</summary>
public static class Bf16Support
{
    private static readonly Lazy<string?> Cached = new(Detect);

    /// <summary>Null when bfloat16 training is supported here; otherwise why not (cached after the first call).</summary>
    public static string? WhyUnsupported() => Cached.Value;

    /// <summary>Throws a user error (exit code 2) naming the reason when bfloat16 is not supported here.</summary>
    public static void EnsureSupported()
    {
        if (WhyUnsupported() is { } reason)
            throw new Core.LeverUserException($"--precision bf16: {reason}", "train with --precision f32 (the default); bf16 needs a CPU with AVX512_BF16/AMX (x86) or BF16 (Arm)");
    }

    /// <summary>
    /// True when a /proc/cpuinfo text lists a native bfloat16 instruction set: avx512_bf16 or amx_bf16 (x86 "flags")
    /// or bf16 (Arm "Features").
    /// </summary>
    public static bool CpuInfoHasBf16(string cpuinfo)
    {
        foreach (var line in cpuinfo.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) continue;
            var key = line[..colon].Trim();
            if (key is not ("flags" or "Features")) continue;
            var flags = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (flags.Any(f => f is "avx512_bf16" or "amx_bf16" or "bf16")) return true;
        }
        return false;
    }

    private static string? Detect()
    {
        const string cpuinfo = "/proc/cpuinfo";
        if (!OperatingSystem.IsLinux() || !File.Exists(cpuinfo))
            return "native bfloat16 support is only detected on Linux (from /proc/cpuinfo)";
        if (!CpuInfoHasBf16(File.ReadAllText(cpuinfo)))
            return "this CPU has no native bfloat16 instructions (no avx512_bf16 or amx_bf16 in /proc/cpuinfo), so libtorch would emulate them, slower than float32";
        // The probe: exact small integers survive bfloat16, so the product must be exact.
        using var scope = NewDisposeScope();
        var a = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]).to(ScalarType.BFloat16);
        var b = tensor(new float[] { 1, 0, 2, 1, 0, 3 }, [3, 2]).to(ScalarType.BFloat16);
        var c = a.matmul(b);
        if (c.dtype != ScalarType.BFloat16 || !c.to(ScalarType.Float32).eq(tensor(new float[] { 5, 11, 14, 23 }, [2, 2])).all().item<bool>())
            return "a bfloat16 matmul probe gave a wrong result in this libtorch build";
        return null;
    }
}
