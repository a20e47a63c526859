namespace Lever.Training.Data;

/// <summary>
/// The seeded train/validation split. It is a function of the example's content hash and the seed, not of its
/// position, so it streams, is the same on every run and machine, and puts exact duplicates on the same side
/// (a duplicate can never leak from training into validation).
/// </summary>
public static class DataSplit
{
    /// <summary>True when the example with <paramref name="contentHash"/> belongs to the validation slice.</summary>
    public static bool IsValidation(ulong contentHash, int seed, double validationFraction)
    {
        if (validationFraction <= 0) return false;
        // splitmix64 finaliser over hash ^ seed: a well-mixed uniform value in [0, 1).
        ulong z = contentHash ^ (0x9E3779B97F4A7C15UL * (ulong)(uint)seed);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53)) < validationFraction;
    }
}
