using System.Numerics;

namespace SkDiffusion.Grammars.Internal;

/// <summary>
/// The byte automaton lifted to tokens: for every state the tokens it accepts and the state each leads to, found by
/// walking the vocabulary (sorted by bytes, so shared prefixes are read once and dead prefixes skipped) from the state.
/// One extra absorbing end state follows any accepting state on an end token. Per-state successor sets are
/// precomputed; a (state, token) lookup is O(1) for dense states (bitset + rank) and O(log n) for sparse ones.
/// Immutable and thread-safe.
/// </summary>
internal sealed class TokenAutomaton
{
    private readonly StateTokens[] _tokens;
    private readonly bool[] _accepting;
    private readonly ulong[] _succ;
    private readonly bool _allowEot;

    public TokenAutomaton(Dfa dfa, ByteVocabulary vocabulary, bool allowEndOfTurn)
    {
        Vocabulary = vocabulary;
        _allowEot = allowEndOfTurn && vocabulary.EotId is not null;
        int dfaStates = dfa.StateCount;
        StateCount = dfaStates + 1;
        End = dfaStates;
        Start = dfa.Start;
        StateWords = (StateCount + 63) / 64;
        VocabularyWords = (vocabulary.Size + 63) / 64;
        _accepting = new bool[StateCount];
        Array.Copy(dfa.Accepting, _accepting, dfaStates);
        _accepting[End] = true;
        _tokens = new StateTokens[StateCount];

        var order = SortedTokens(vocabulary, out int[] lcp, out int maxLength);
        Parallel.For(0, dfaStates, () => new int[maxLength + 1], (s, _, stack) =>
        {
            _tokens[s] = Walk(dfa, vocabulary, s, order, lcp, stack);
            return stack;
        }, _ => { });
        _tokens[End] = StateTokens.Sparse([], [], vocabulary.Size);

        _succ = new ulong[StateCount * StateWords];
        for (int s = 0; s < dfaStates; s++)
        {
            foreach (ushort t in _tokens[s].NextStates)
            {
                _succ[(s * StateWords) + (t >> 6)] |= 1UL << (t & 63);
            }

            if (_accepting[s])
            {
                _succ[(s * StateWords) + (End >> 6)] |= 1UL << (End & 63);
            }
        }

        _succ[(End * StateWords) + (End >> 6)] |= 1UL << (End & 63);
        MinimumTokens = ShortestWord();
    }

    public ByteVocabulary Vocabulary { get; }

    /// <summary>States including the end state.</summary>
    public int StateCount { get; }

    public int Start { get; }

    public int End { get; }

    public int StateWords { get; }

    public int VocabularyWords { get; }

    /// <summary>The fewest tokens of a word of the language (end tokens excluded); -1 when the vocabulary spells none.</summary>
    public int MinimumTokens { get; }

    public bool IsAccepting(int state) => _accepting[state];

    public bool IsEnd(int token) => Vocabulary.IsEnd(token, _allowEot);

    public ReadOnlySpan<ulong> Successors(int state) => _succ.AsSpan(state * StateWords, StateWords);

    internal StateTokens TokensOf(int state) => _tokens[state];

    /// <summary>The state after <paramref name="token"/> in <paramref name="state"/>, or -1.</summary>
    public int Next(int state, int token)
    {
        if (IsEnd(token))
        {
            return _accepting[state] ? End : -1;
        }

        return (uint)token < (uint)Vocabulary.Size ? _tokens[state].Next(token) : -1;
    }

    private static int[] SortedTokens(ByteVocabulary vocabulary, out int[] lcp, out int maxLength)
    {
        var ids = new List<int>();
        maxLength = 0;
        for (int t = 0; t < vocabulary.Size; t++)
        {
            if (vocabulary.RawBytes(t) is { } b)
            {
                ids.Add(t);
                maxLength = Math.Max(maxLength, b.Length);
            }
        }

        int[] order = [.. ids];
        Array.Sort(order, (a, b) =>
        {
            int c = vocabulary.GetBytes(a).SequenceCompareTo(vocabulary.GetBytes(b));
            return c != 0 ? c : a.CompareTo(b);
        });
        lcp = new int[order.Length];
        for (int k = 1; k < order.Length; k++)
        {
            lcp[k] = vocabulary.GetBytes(order[k - 1]).CommonPrefixLength(vocabulary.GetBytes(order[k]));
        }

        return order;
    }

    private static StateTokens Walk(Dfa dfa, ByteVocabulary vocabulary, int state, int[] order, int[] lcp, int[] stack)
    {
        stack[0] = state;
        int depth = 0; // stack[0..depth] is valid for the previous token's path; stack[depth] may be -1 (dead)
        var found = new List<(int Token, int Next)>();
        for (int k = 0; k < order.Length; k++)
        {
            int common = k == 0 ? 0 : lcp[k];
            if (common >= depth && stack[depth] < 0)
            {
                continue; // shares the dead prefix
            }

            var bytes = vocabulary.GetBytes(order[k]);
            int d = Math.Min(common, depth);
            int cur = stack[d];
            while (d < bytes.Length)
            {
                cur = dfa.Next(cur, bytes[d]);
                stack[++d] = cur;
                if (cur < 0)
                {
                    break;
                }
            }

            depth = d;
            if (cur >= 0)
            {
                found.Add((order[k], cur));
            }
        }

        return StateTokens.Create(found, vocabulary.Size);
    }

    private int ShortestWord()
    {
        var dist = new int[StateCount];
        Array.Fill(dist, -1);
        var queue = new Queue<int>();
        dist[Start] = 0;
        queue.Enqueue(Start);
        while (queue.Count > 0)
        {
            int s = queue.Dequeue();
            if (s != End && _accepting[s])
            {
                return dist[s];
            }

            var succ = Successors(s);
            for (int w = 0; w < succ.Length; w++)
            {
                ulong bits = succ[w];
                while (bits != 0)
                {
                    int t = (w << 6) + BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    if (t != End && dist[t] < 0)
                    {
                        dist[t] = dist[s] + 1;
                        queue.Enqueue(t);
                    }
                }
            }
        }

        return -1;
    }
}
