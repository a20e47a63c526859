using System.Numerics;
using System.Runtime.InteropServices;

namespace Lever.Retrieval.Internal;

/// <summary>Dot products and normalisation with <see cref="Vector{T}"/> (AVX2/AVX-512/NEON where present).</summary>
internal static class VectorMath
{
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int n = a.Length, i = 0;
        var sum = Vector<float>.Zero;
        var va = MemoryMarshal.Cast<float, Vector<float>>(a);
        var vb = MemoryMarshal.Cast<float, Vector<float>>(b[..a.Length]);
        for (int v = 0; v < va.Length; v++) sum += va[v] * vb[v];
        i = va.Length * Vector<float>.Count;
        float s = Vector.Sum(sum);
        for (; i < n; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>Scales <paramref name="v"/> to unit length in place (a zero vector stays zero).</summary>
    public static void Normalize(Span<float> v)
    {
        float norm = MathF.Sqrt(Dot(v, v));
        if (norm == 0 || !float.IsFinite(norm)) return;
        for (int i = 0; i < v.Length; i++) v[i] /= norm;
    }
}
