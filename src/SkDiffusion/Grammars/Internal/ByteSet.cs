using System.Numerics;

namespace SkDiffusion.Grammars.Internal;

/// <summary>An immutable set of byte values (256 bits).</summary>
internal readonly record struct ByteSet(ulong W0, ulong W1, ulong W2, ulong W3)
{
    public static ByteSet Empty => default;

    public static ByteSet All => new(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue);

    public bool IsEmpty => (W0 | W1 | W2 | W3) == 0;

    public int Count => BitOperations.PopCount(W0) + BitOperations.PopCount(W1) + BitOperations.PopCount(W2) + BitOperations.PopCount(W3);

    public static ByteSet Of(byte b) => Range(b, b);

    public static ByteSet Range(int lo, int hi)
    {
        var w = new ulong[4];
        for (int b = lo; b <= hi; b++)
        {
            w[b >> 6] |= 1UL << (b & 63);
        }

        return new ByteSet(w[0], w[1], w[2], w[3]);
    }

    public bool Contains(int b) => ((b >> 6) switch { 0 => W0, 1 => W1, 2 => W2, _ => W3 } & (1UL << (b & 63))) != 0;

    public ByteSet Union(ByteSet o) => new(W0 | o.W0, W1 | o.W1, W2 | o.W2, W3 | o.W3);

    public ByteSet Except(ByteSet o) => new(W0 & ~o.W0, W1 & ~o.W1, W2 & ~o.W2, W3 & ~o.W3);

    public ByteSet Intersect(ByteSet o) => new(W0 & o.W0, W1 & o.W1, W2 & o.W2, W3 & o.W3);
}
