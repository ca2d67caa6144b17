namespace SkDiffusion.Sampling.Internal;

/// <summary>
/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64, so that a seed gives the same stream on every
/// runtime regardless of <see cref="System.Random"/>'s implementation.
/// </summary>
internal sealed class Xoshiro256StarStar
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    /// <summary>Seeds the generator.</summary>
    /// <param name="seed">Any 64-bit seed.</param>
    public Xoshiro256StarStar(ulong seed)
    {
        Reseed(seed);
    }

    /// <summary>A seed derived from a run seed and up to four coordinates (step, row, position, candidate).</summary>
    public static ulong Derive(ulong seed, long a, long b, long c, long d)
    {
        ulong x = seed;
        ulong h = SplitMix64(ref x);
        foreach (long v in (ReadOnlySpan<long>)[a, b, c, d])
        {
            x = h ^ (ulong)v;
            h = SplitMix64(ref x);
        }

        return h;
    }

    /// <summary>Restarts the generator from <paramref name="seed"/>.</summary>
    public void Reseed(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in the open interval (0, 1): never 0, so <c>-log(U)</c> is finite.</summary>
    public double NextOpenUnit() => ((NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
