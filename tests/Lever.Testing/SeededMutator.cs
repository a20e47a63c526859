namespace Lever.Testing;

/// <summary>
/// Deterministic mutations of a valid file — byte flips, truncations, splices and insertions — the same sequence for
/// the same seed on every machine (System.Random with a seed is stable across .NET versions). The fuzz replay tests
/// and the bench/fuzz harness share it.
/// </summary>
public static class SeededMutator
{
    private static readonly byte[] Interesting = [(byte)'{', (byte)'[', (byte)'"', (byte)'\\', (byte)',', (byte)':', (byte)'\n', (byte)'<', 0, 0xff];

    /// <summary>The kinds of mutation, in the order <see cref="Mutate"/> cycles through them.</summary>
    public static readonly string[] Kinds = ["flip", "truncate", "splice", "insert"];

    /// <summary>
    /// <paramref name="count"/> mutants of <paramref name="input"/> for <paramref name="seed"/>, each with its kind;
    /// mutated positions fall at or after <paramref name="from"/> (e.g. the start of a safetensors file's tensor data).
    /// </summary>
    public static IEnumerable<(string Kind, byte[] Bytes)> Mutants(byte[] input, int seed, int count, int from = 0)
    {
        ArgumentNullException.ThrowIfNull(input);
        var rng = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var kind = Kinds[i % Kinds.Length];
            yield return (kind, Mutate(input, kind, rng, from));
        }
    }

    /// <summary>One mutation of kind <paramref name="kind"/> drawn from <paramref name="rng"/>.</summary>
    public static byte[] Mutate(byte[] input, string kind, Random rng, int from = 0)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(rng);
        from = Math.Clamp(from, 0, input.Length);
        int Position() => input.Length == from ? from : rng.Next(from, input.Length);
        switch (kind)
        {
            case "flip":
            {
                var bytes = (byte[])input.Clone();
                if (bytes.Length == from) return bytes;
                var flips = rng.Next(1, 9);
                for (var i = 0; i < flips; i++) bytes[Position()] ^= (byte)rng.Next(1, 256);
                return bytes;
            }
            case "truncate":
                return input[..Position()];
            case "splice":
            {
                // A chunk of the file copied over another place of it (a torn or misordered write).
                var bytes = (byte[])input.Clone();
                if (bytes.Length == from) return bytes;
                var source = Position();
                var length = Math.Min(rng.Next(1, 257), input.Length - source);
                var target = Position();
                length = Math.Min(length, bytes.Length - target);
                Array.Copy(input, source, bytes, target, length);
                return bytes;
            }
            case "insert":
            {
                var at = Position();
                var extra = new byte[rng.Next(1, 65)];
                // Half the time random bytes, half the time a run of one of the bytes parsers care about.
                if (rng.Next(2) == 0) rng.NextBytes(extra);
                else Array.Fill(extra, Interesting[rng.Next(Interesting.Length)]);
                return [.. input[..at], .. extra, .. input[at..]];
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "one of " + string.Join(", ", Kinds));
        }
    }
}
