namespace SkDiffusion.Grammars.Internal;

/// <summary>
/// A deterministic automaton over bytes: subset construction over byte equivalence classes from a <see cref="Nfa"/>,
/// then every state that cannot reach an accepting state is removed (a missing move is -1). Immutable.
/// </summary>
internal sealed class Dfa
{
    private readonly int[] _next;

    private Dfa(byte[] classOf, int classCount, int[] next, bool[] accepting, int start)
    {
        ClassOf = classOf;
        ClassCount = classCount;
        _next = next;
        Accepting = accepting;
        Start = start;
    }

    /// <summary>The byte class of every byte value.</summary>
    public byte[] ClassOf { get; }

    public int ClassCount { get; }

    public bool[] Accepting { get; }

    public int Start { get; }

    public int StateCount => Accepting.Length;

    /// <summary>The state after reading byte <paramref name="b"/> in <paramref name="state"/>, or -1.</summary>
    public int Next(int state, byte b) => _next[(state * ClassCount) + ClassOf[b]];

    /// <summary>The state after reading <paramref name="bytes"/>, or -1.</summary>
    public int Run(int state, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (state < 0)
            {
                return -1;
            }

            state = Next(state, b);
        }

        return state;
    }

    /// <summary>Whether the automaton accepts <paramref name="bytes"/> from its start.</summary>
    public bool Matches(ReadOnlySpan<byte> bytes)
    {
        int s = Run(Start, bytes);
        return s >= 0 && Accepting[s];
    }

    /// <summary>Builds the automaton of <paramref name="root"/>.</summary>
    /// <exception cref="GrammarException">The language is empty or needs more than <paramref name="maxStates"/> states.</exception>
    public static Dfa Build(RegexNode root, int maxStates)
    {
        var nfa = Nfa.Build(root);
        var (classOf, classCount, representative) = ByteClasses(nfa);

        var stamp = new int[nfa.Count];
        int stampValue = 0;
        var stack = new Stack<int>();
        List<int> Closure(IEnumerable<int> seeds)
        {
            stampValue++;
            var result = new List<int>();
            foreach (int s in seeds)
            {
                if (stamp[s] != stampValue)
                {
                    stamp[s] = stampValue;
                    stack.Push(s);
                }
            }

            while (stack.Count > 0)
            {
                int s = stack.Pop();
                if (nfa.EdgeTarget(s) >= 0 || s == nfa.Accept)
                {
                    result.Add(s);
                }

                if (nfa.Epsilon(s) is { } eps)
                {
                    foreach (int t in eps)
                    {
                        if (stamp[t] != stampValue)
                        {
                            stamp[t] = stampValue;
                            stack.Push(t);
                        }
                    }
                }
            }

            result.Sort();
            return result;
        }

        var ids = new Dictionary<int[], int>(new IntArrayComparer());
        var sets = new List<int[]>();
        var next = new List<int>();
        int[] startSet = [.. Closure([nfa.Start])];
        ids[startSet] = 0;
        sets.Add(startSet);
        var targets = new List<int>();
        for (int d = 0; d < sets.Count; d++)
        {
            int[] set = sets[d];
            for (int c = 0; c < classCount; c++)
            {
                byte rb = representative[c];
                targets.Clear();
                foreach (int s in set)
                {
                    if (nfa.EdgeTarget(s) >= 0 && nfa.EdgeSet(s).Contains(rb))
                    {
                        targets.Add(nfa.EdgeTarget(s));
                    }
                }

                if (targets.Count == 0)
                {
                    next.Add(-1);
                    continue;
                }

                int[] target = [.. Closure(targets)];
                if (!ids.TryGetValue(target, out int id))
                {
                    id = sets.Count;
                    if (id >= maxStates)
                    {
                        throw new GrammarException($"The automaton needs more than {maxStates:N0} states (GrammarOptions.MaxStates): lower maxLength, maxItems or repetition counts, reduce the nesting depth, or raise MaxStates (at most {GrammarOptions.MaxStatesLimit:N0}).");
                    }

                    ids[target] = id;
                    sets.Add(target);
                }

                next.Add(id);
            }
        }

        var accepting = sets.Select(s => Array.BinarySearch(s, nfa.Accept) >= 0).ToArray();
        return Prune(classOf, classCount, [.. next], accepting);
    }

    private static Dfa Prune(byte[] classOf, int classCount, int[] next, bool[] accepting)
    {
        int n = accepting.Length;
        var reverse = new List<int>[n];
        for (int s = 0; s < n; s++)
        {
            for (int c = 0; c < classCount; c++)
            {
                int t = next[(s * classCount) + c];
                if (t >= 0)
                {
                    (reverse[t] ??= []).Add(s);
                }
            }
        }

        var live = new bool[n];
        var queue = new Queue<int>();
        for (int s = 0; s < n; s++)
        {
            if (accepting[s])
            {
                live[s] = true;
                queue.Enqueue(s);
            }
        }

        while (queue.Count > 0)
        {
            int t = queue.Dequeue();
            foreach (int s in reverse[t] ?? [])
            {
                if (!live[s])
                {
                    live[s] = true;
                    queue.Enqueue(s);
                }
            }
        }

        if (!live[0])
        {
            throw new GrammarException("The language is empty: no string satisfies every constraint.");
        }

        var map = new int[n];
        int count = 0;
        for (int s = 0; s < n; s++)
        {
            map[s] = live[s] ? count++ : -1;
        }

        var newNext = new int[count * classCount];
        var newAccepting = new bool[count];
        for (int s = 0; s < n; s++)
        {
            if (map[s] < 0)
            {
                continue;
            }

            newAccepting[map[s]] = accepting[s];
            for (int c = 0; c < classCount; c++)
            {
                int t = next[(s * classCount) + c];
                newNext[(map[s] * classCount) + c] = t >= 0 ? map[t] : -1;
            }
        }

        return new Dfa(classOf, classCount, newNext, newAccepting, map[0]);
    }

    /// <summary>Partitions the 256 byte values so that every edge set is a union of classes.</summary>
    private static (byte[] ClassOf, int Count, byte[] Representative) ByteClasses(Nfa nfa)
    {
        var classOf = new int[256];
        int count = 1;
        var seen = new HashSet<ByteSet>();
        for (int s = 0; s < nfa.Count; s++)
        {
            if (nfa.EdgeTarget(s) < 0 || !seen.Add(nfa.EdgeSet(s)))
            {
                continue;
            }

            var set = nfa.EdgeSet(s);
            var split = new Dictionary<(int, bool), int>();
            int newCount = 0;
            for (int b = 0; b < 256; b++)
            {
                var key = (classOf[b], set.Contains(b));
                if (!split.TryGetValue(key, out int id))
                {
                    id = newCount++;
                    split[key] = id;
                }

                classOf[b] = id;
            }

            count = newCount;
        }

        var result = new byte[256];
        var representative = new byte[count];
        for (int b = 255; b >= 0; b--)
        {
            result[b] = (byte)classOf[b];
            representative[classOf[b]] = (byte)b;
        }

        return (result, count, representative);
    }

    private sealed class IntArrayComparer : IEqualityComparer<int[]>
    {
        public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(int[] obj)
        {
            var h = new HashCode();
            h.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(obj.AsSpan()));
            return h.ToHashCode();
        }
    }
}
