using System.Numerics;

namespace SkDiffusion.Grammars.Internal;

/// <summary>
/// The tokens one automaton state accepts and their next states. Dense form: a bitset over the vocabulary, a running
/// count per 64-token word and the next states in id order (O(1) lookup). Sparse form (few tokens): sorted ids and
/// next states (binary search).
/// </summary>
internal sealed class StateTokens
{
    private StateTokens(int[]? sparseIds, ulong[]? bits, int[]? rank, ushort[] next, ushort[] nextStates)
    {
        SparseIds = sparseIds;
        Bits = bits;
        Rank = rank;
        NextInOrder = next;
        NextStates = nextStates;
    }

    /// <summary>Sorted accepted ids (sparse form), else null.</summary>
    public int[]? SparseIds { get; }

    /// <summary>The accepted ids as a bitset (dense form), else null.</summary>
    public ulong[]? Bits { get; }

    /// <summary>Accepted tokens before each 64-token word (dense form).</summary>
    public int[]? Rank { get; }

    /// <summary>The next state of every accepted token, in id order.</summary>
    public ushort[] NextInOrder { get; }

    /// <summary>The distinct next states.</summary>
    public ushort[] NextStates { get; }

    public int Count => NextInOrder.Length;

    public static StateTokens Sparse(int[] ids, ushort[] next, int vocabularySize) =>
        new(ids, null, null, next, [.. next.Distinct()]);

    /// <summary>Builds the form that fits the number of accepted tokens.</summary>
    public static StateTokens Create(List<(int Token, int Next)> found, int vocabularySize)
    {
        found.Sort((a, b) => a.Token.CompareTo(b.Token));
        var next = new ushort[found.Count];
        for (int i = 0; i < found.Count; i++)
        {
            next[i] = (ushort)found[i].Next;
        }

        ushort[] distinct = [.. next.Distinct()];
        if ((long)found.Count * 64 < vocabularySize)
        {
            return new StateTokens([.. found.Select(f => f.Token)], null, null, next, distinct);
        }

        int words = (vocabularySize + 63) / 64;
        var bits = new ulong[words];
        foreach (var (token, _) in found)
        {
            bits[token >> 6] |= 1UL << (token & 63);
        }

        var rank = new int[words];
        int total = 0;
        for (int w = 0; w < words; w++)
        {
            rank[w] = total;
            total += BitOperations.PopCount(bits[w]);
        }

        return new StateTokens(null, bits, rank, next, distinct);
    }

    /// <summary>The next state after <paramref name="token"/>, or -1.</summary>
    public int Next(int token)
    {
        if (Bits is { } bits)
        {
            int w = token >> 6;
            ulong word = bits[w];
            ulong bit = 1UL << (token & 63);
            if ((word & bit) == 0)
            {
                return -1;
            }

            return NextInOrder[Rank![w] + BitOperations.PopCount(word & (bit - 1))];
        }

        int i = Array.BinarySearch(SparseIds!, token);
        return i >= 0 ? NextInOrder[i] : -1;
    }
}
