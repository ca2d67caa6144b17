namespace SkDiffusion.Grammars.Internal;

/// <summary>
/// A finished automaton over bytes that a <see cref="RegexNode"/> embeds as one part of a language, for parts that a
/// syntax tree cannot spell without blowing up (an arithmetic condition such as divisibility on a digit string).
/// </summary>
internal sealed class ByteGraph
{
    /// <param name="stateCount">The number of states.</param>
    /// <param name="start">The start state.</param>
    /// <param name="accepting">Per state, whether a word may end there.</param>
    /// <param name="edges">The moves: from a state, on any byte of the set, to a state.</param>
    public ByteGraph(int stateCount, int start, bool[] accepting, IReadOnlyList<(int From, ByteSet Bytes, int To)> edges)
    {
        StateCount = stateCount;
        Start = start;
        Accepting = accepting;
        Edges = edges;
    }

    public int StateCount { get; }

    public int Start { get; }

    public bool[] Accepting { get; }

    public IReadOnlyList<(int From, ByteSet Bytes, int To)> Edges { get; }
}
