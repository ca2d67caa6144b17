using System.Numerics;
using System.Runtime.InteropServices;

namespace SkDiffusion.Grammars.Internal;

/// <summary>
/// The byte automaton lifted to tokens, exactly. Every token acts on the automaton as a function from states to states
/// (dead = none); tokens with the same function form one class. The functions are built by walking the vocabulary
/// sorted by bytes (shared prefixes are read once, prefixes dead everywhere are skipped) and interning each prefix's
/// function, memoised per (function, byte class), so the cost grows with the vocabulary and the number of distinct
/// functions, not with states times tokens. A (state, token) move is one table lookup. One extra absorbing end state
/// follows any accepting state on an end token. Immutable and thread-safe.
/// </summary>
internal sealed class TokenAutomaton
{
    /// <summary>The most function entries (classes times states) the lift may store.</summary>
    public const long MaxFunctionEntries = 200_000_000;

    private const ushort Dead = ushort.MaxValue;

    private readonly int[] _tokenClass;
    private readonly ushort[][] _classNext;
    private readonly ulong[] _alive;
    private readonly ushort[][] _succList;
    private readonly ulong[] _succ;
    private readonly bool[] _accepting;
    private readonly bool _allowEot;

    public TokenAutomaton(Dfa dfa, ByteVocabulary vocabulary, bool allowEndOfTurn)
    {
        Vocabulary = vocabulary;
        _allowEot = allowEndOfTurn && vocabulary.EotId is not null;
        int n = dfa.StateCount;
        StateCount = n + 1;
        End = n;
        Start = dfa.Start;
        StateWords = (StateCount + 63) / 64;
        _accepting = new bool[StateCount];
        Array.Copy(dfa.Accepting, _accepting, n);
        _accepting[End] = true;

        (_tokenClass, _classNext) = Lift(dfa, vocabulary);
        ClassCount = _classNext.Length;
        ClassWords = (ClassCount + 63) / 64;

        _alive = new ulong[StateCount * ClassWords];
        _succList = new ushort[StateCount][];
        _succ = new ulong[StateCount * StateWords];
        var targets = new HashSet<ushort>();
        for (int s = 0; s < n; s++)
        {
            targets.Clear();
            for (int k = 0; k < ClassCount; k++)
            {
                ushort t = _classNext[k][s];
                if (t != Dead)
                {
                    _alive[(s * ClassWords) + (k >> 6)] |= 1UL << (k & 63);
                    targets.Add(t);
                }
            }

            if (_accepting[s])
            {
                targets.Add((ushort)End);
            }

            _succList[s] = [.. targets.Order()];
        }

        _succList[End] = [(ushort)End];
        for (int s = 0; s < StateCount; s++)
        {
            foreach (ushort t in _succList[s])
            {
                _succ[(s * StateWords) + (t >> 6)] |= 1UL << (t & 63);
            }
        }

        MinimumTokens = ShortestWord();
        NibbleSuccessors = StateCount <= MaxNibbleStates ? BuildNibbleTable() : null;
    }

    /// <summary>The most states for which <see cref="NibbleSuccessors"/> is built (its size grows with the square of the states).</summary>
    public const int MaxNibbleStates = 8192;

    /// <summary>
    /// For every group of 4 consecutive states and each of its 16 subsets, the union of their successor sets
    /// (<see cref="StateWords"/> words each), or null for large automata: a masked position's forward set is then one
    /// union per non-empty group instead of one per state.
    /// </summary>
    public ulong[]? NibbleSuccessors { get; }

    public ByteVocabulary Vocabulary { get; }

    /// <summary>States including the end state.</summary>
    public int StateCount { get; }

    public int Start { get; }

    public int End { get; }

    public int StateWords { get; }

    /// <summary>Token classes (tokens acting alike on every state).</summary>
    public int ClassCount { get; }

    public int ClassWords { get; }

    /// <summary>The fewest tokens of a word of the language (end tokens excluded); -1 when the vocabulary spells none.</summary>
    public int MinimumTokens { get; }

    public bool IsAccepting(int state) => _accepting[state];

    public bool IsEnd(int token) => Vocabulary.IsEnd(token, _allowEot);

    /// <summary>The class of a token, or -1 when it is dead in every state (or has no bytes).</summary>
    public int ClassOf(int token) => _tokenClass[token];

    /// <summary>The state after a token of class <paramref name="cls"/> in DFA state <paramref name="state"/>, or -1.</summary>
    public int ClassNext(int cls, int state)
    {
        ushort t = _classNext[cls][state];
        return t == Dead ? -1 : t;
    }

    /// <summary>The classes alive in a state (a bitset of <see cref="ClassWords"/> words; empty for the end state).</summary>
    public ReadOnlySpan<ulong> AliveClasses(int state) => _alive.AsSpan(state * ClassWords, ClassWords);

    public ReadOnlySpan<ulong> Successors(int state) => _succ.AsSpan(state * StateWords, StateWords);

    public ReadOnlySpan<ushort> SuccessorList(int state) => _succList[state];

    /// <summary>The state after <paramref name="token"/> in <paramref name="state"/>, or -1.</summary>
    public int Next(int state, int token)
    {
        if (IsEnd(token))
        {
            return _accepting[state] ? End : -1;
        }

        if (state == End || (uint)token >= (uint)_tokenClass.Length)
        {
            return -1;
        }

        int c = _tokenClass[token];
        return c < 0 ? -1 : ClassNext(c, state);
    }

    private static (int[] TokenClass, ushort[][] ClassNext) Lift(Dfa dfa, ByteVocabulary vocabulary)
    {
        int n = dfa.StateCount;
        var order = SortedTokens(vocabulary, out int[] lcp, out int maxLength);
        var functions = new List<ushort[]> { };
        var intern = new Dictionary<ushort[], int>(new FunctionComparer());
        var memo = new Dictionary<long, int>();
        var identity = new ushort[n];
        for (int s = 0; s < n; s++)
        {
            identity[s] = (ushort)s;
        }

        functions.Add(identity);
        intern[identity] = 0;
        var scratch = new ushort[n];

        int Step(int f, byte b)
        {
            int cls = dfa.ClassOf[b];
            long key = ((long)f * 256) + cls;
            if (memo.TryGetValue(key, out int g))
            {
                return g;
            }

            ushort[] src = functions[f];
            bool any = false;
            for (int s = 0; s < n; s++)
            {
                ushort x = src[s];
                int y = x == Dead ? -1 : dfa.Next(x, b);
                scratch[s] = y < 0 ? Dead : (ushort)y;
                any |= y >= 0;
            }

            if (!any)
            {
                g = -1;
            }
            else if (!intern.TryGetValue(scratch, out g))
            {
                if ((long)(functions.Count + 1) * n > MaxFunctionEntries)
                {
                    throw new GrammarException($"Lifting the automaton ({n:N0} states) to the vocabulary needs more than {MaxFunctionEntries:N0} table entries: simplify the grammar (fewer bounded lengths, smaller counts).");
                }

                g = functions.Count;
                var copy = (ushort[])scratch.Clone();
                functions.Add(copy);
                intern[copy] = g;
            }

            memo[key] = g;
            return g;
        }

        var tokenFunction = new int[vocabulary.Size];
        Array.Fill(tokenFunction, -1);
        var stack = new int[maxLength + 1];
        stack[0] = 0;
        int depth = 0; // stack[0..depth] holds the previous token's prefix functions; stack[depth] may be -1 (dead)
        for (int k = 0; k < order.Length; k++)
        {
            int common = k == 0 ? 0 : lcp[k];
            if (common >= depth && stack[depth] < 0)
            {
                continue;
            }

            var bytes = vocabulary.GetBytes(order[k]);
            int d = Math.Min(common, depth);
            int f = stack[d];
            while (d < bytes.Length)
            {
                f = Step(f, bytes[d]);
                stack[++d] = f;
                if (f < 0)
                {
                    break;
                }
            }

            depth = d;
            tokenFunction[order[k]] = f;
        }

        // Classes: the distinct functions of whole tokens.
        var classOfFunction = new Dictionary<int, int>();
        var classNext = new List<ushort[]>();
        var tokenClass = new int[vocabulary.Size];
        for (int t = 0; t < tokenClass.Length; t++)
        {
            int f = tokenFunction[t];
            if (f < 0)
            {
                tokenClass[t] = -1;
                continue;
            }

            if (!classOfFunction.TryGetValue(f, out int c))
            {
                c = classNext.Count;
                classOfFunction[f] = c;
                classNext.Add(functions[f]);
            }

            tokenClass[t] = c;
        }

        return (tokenClass, [.. classNext]);
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

    private ulong[] BuildNibbleTable()
    {
        int w = StateWords;
        int groups = w * 16;
        var table = new ulong[groups * 16 * w];
        for (int g = 0; g < groups; g++)
        {
            for (int subset = 1; subset < 16; subset++)
            {
                int low = BitOperations.TrailingZeroCount(subset);
                int state = (g * 4) + low;
                var target = table.AsSpan(((g * 16) + subset) * w, w);
                table.AsSpan(((g * 16) + (subset & (subset - 1))) * w, w).CopyTo(target);
                if (state < StateCount)
                {
                    var succ = Successors(state);
                    for (int i = 0; i < w; i++)
                    {
                        target[i] |= succ[i];
                    }
                }
            }
        }

        return table;
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

            foreach (ushort t in _succList[s])
            {
                if (t != End && dist[t] < 0)
                {
                    dist[t] = dist[s] + 1;
                    queue.Enqueue(t);
                }
            }
        }

        return -1;
    }

    private sealed class FunctionComparer : IEqualityComparer<ushort[]>
    {
        public bool Equals(ushort[]? x, ushort[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(ushort[] obj)
        {
            var h = new HashCode();
            h.AddBytes(MemoryMarshal.AsBytes(obj.AsSpan()));
            return h.ToHashCode();
        }
    }
}
