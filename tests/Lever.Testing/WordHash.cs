namespace Lever.Testing;

/// <summary>The string hash a <see cref="WordHashEmbedder"/> buckets words with.</summary>
public enum WordHash
{
    /// <summary>32-bit FNV-1a.</summary>
    Fnv1a,

    /// <summary>h = h * 31 + c from 17, in 32-bit signed arithmetic (Java's string hash with a seed).</summary>
    Polynomial31,
}
