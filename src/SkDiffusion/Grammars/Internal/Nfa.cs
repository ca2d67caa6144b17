namespace SkDiffusion.Grammars.Internal;

/// <summary>
/// A Thompson automaton over bytes built from a <see cref="RegexNode"/>: every state has epsilon moves and at most one
/// byte-set move. Repetitions are expanded into copies.
/// </summary>
internal sealed class Nfa
{
    /// <summary>The most NFA states a source may expand to.</summary>
    public const int MaxNfaStates = 4_000_000;

    private readonly List<List<int>?> _eps = [];
    private readonly List<ByteSet> _edgeSet = [];
    private readonly List<int> _edgeTarget = [];

    private Nfa()
    {
    }

    public int Start { get; private set; }

    public int Accept { get; private set; }

    public int Count => _edgeTarget.Count;

    public static Nfa Build(RegexNode root)
    {
        var nfa = new Nfa();
        var (s, e) = nfa.Fragment(root);
        nfa.Start = s;
        nfa.Accept = e;
        return nfa;
    }

    public List<int>? Epsilon(int state) => _eps[state];

    public int EdgeTarget(int state) => _edgeTarget[state];

    public ByteSet EdgeSet(int state) => _edgeSet[state];

    private int NewState()
    {
        if (_edgeTarget.Count >= MaxNfaStates)
        {
            throw new GrammarException($"The language expands to more than {MaxNfaStates:N0} automaton states: lower the repetition counts (maxLength, maxItems, {{n,m}}).");
        }

        _eps.Add(null);
        _edgeSet.Add(default);
        _edgeTarget.Add(-1);
        return _edgeTarget.Count - 1;
    }

    private void AddEpsilon(int from, int to) => (_eps[from] ??= []).Add(to);

    private (int Start, int End) Fragment(RegexNode node)
    {
        switch (node.Kind)
        {
            case RegexNodeKind.Empty:
                {
                    int s = NewState();
                    return (s, s);
                }

            case RegexNodeKind.Nothing:
                return (NewState(), NewState());

            case RegexNodeKind.Bytes:
                {
                    int s = NewState();
                    int e = NewState();
                    _edgeSet[s] = node.Bytes;
                    _edgeTarget[s] = e;
                    return (s, e);
                }

            case RegexNodeKind.Concat:
                {
                    var (start, end) = Fragment(node.Children[0]);
                    for (int i = 1; i < node.Children.Length; i++)
                    {
                        var (s, e) = Fragment(node.Children[i]);
                        AddEpsilon(end, s);
                        end = e;
                    }

                    return (start, end);
                }

            case RegexNodeKind.Alternation:
                {
                    int s = NewState();
                    int e = NewState();
                    foreach (var child in node.Children)
                    {
                        var (cs, ce) = Fragment(child);
                        AddEpsilon(s, cs);
                        AddEpsilon(ce, e);
                    }

                    return (s, e);
                }

            case RegexNodeKind.Graph:
                return GraphFragment(node.Graph!);

            default:
                return RepeatFragment(node);
        }
    }

    /// <summary>One epsilon hub per automaton state, one byte-set state per move, and a common end.</summary>
    private (int Start, int End) GraphFragment(ByteGraph graph)
    {
        var hubs = new int[graph.StateCount];
        for (int i = 0; i < hubs.Length; i++)
        {
            hubs[i] = NewState();
        }

        int end = NewState();
        foreach (var (from, bytes, to) in graph.Edges)
        {
            int s = NewState();
            _edgeSet[s] = bytes;
            _edgeTarget[s] = hubs[to];
            AddEpsilon(hubs[from], s);
        }

        for (int i = 0; i < hubs.Length; i++)
        {
            if (graph.Accepting[i])
            {
                AddEpsilon(hubs[i], end);
            }
        }

        return (hubs[graph.Start], end);
    }

    private (int Start, int End) RepeatFragment(RegexNode node)
    {
        var child = node.Children[0];
        int start = NewState();
        int cur = start;
        for (int i = 0; i < node.Min; i++)
        {
            var (s, e) = Fragment(child);
            AddEpsilon(cur, s);
            cur = e;
        }

        int end = NewState();
        if (node.Max < 0)
        {
            int loop = NewState();
            AddEpsilon(cur, loop);
            var (s, e) = Fragment(child);
            AddEpsilon(loop, s);
            AddEpsilon(e, loop);
            AddEpsilon(loop, end);
            return (start, end);
        }

        for (int i = node.Min; i < node.Max; i++)
        {
            var (s, e) = Fragment(child);
            AddEpsilon(cur, s);
            AddEpsilon(cur, end);
            cur = e;
        }

        AddEpsilon(cur, end);
        return (start, end);
    }
}
