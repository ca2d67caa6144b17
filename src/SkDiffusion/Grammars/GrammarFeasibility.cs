using System.Buffers;
using System.Numerics;
using SkDiffusion.Grammars.Internal;

namespace SkDiffusion.Grammars;

/// <summary>
/// The feasibility pass of a <see cref="TokenGrammar"/> over a region of <see cref="Length"/> positions, each holding a
/// committed token or the mask id: forward sets (states reachable before each position) and backward sets (states from
/// which the rest of the region can still spell a word followed by end tokens), as bitsets. A token may be committed at
/// a masked position when it moves a state of the forward set into the next backward set. <see cref="Compute(ReadOnlySpan{int}, int)"/>
/// is not thread-safe; after it, <see cref="IsAllowed"/> and <see cref="MaskLogits"/> may run concurrently.
/// </summary>
internal sealed class GrammarFeasibility
{
    private readonly TokenAutomaton _a;
    private readonly int _words;
    private readonly ulong[] _forward;
    private readonly ulong[] _backward;
    private readonly int[] _tokens;

    internal GrammarFeasibility(TokenAutomaton automaton, int length)
    {
        _a = automaton;
        Length = length;
        _words = automaton.StateWords;
        _forward = new ulong[(length + 1) * _words];
        _backward = new ulong[(length + 1) * _words];
        _tokens = new int[length];
    }

    /// <summary>The region length in positions.</summary>
    public int Length { get; }

    /// <summary>Whether the last <see cref="Compute(ReadOnlySpan{int}, int)"/> found some completion of the masked positions.</summary>
    public bool IsFeasible { get; private set; }

    /// <summary>Recomputes the sets for the region's current tokens.</summary>
    /// <param name="tokens">The region's tokens (<see cref="Length"/> of them), <paramref name="maskId"/> where undecided.</param>
    /// <param name="maskId">The mask token id.</param>
    /// <returns>Whether the region is feasible.</returns>
    public bool Compute(ReadOnlySpan<int> tokens, int maskId)
    {
        CheckLength(tokens.Length);
        for (int i = 0; i < Length; i++)
        {
            _tokens[i] = tokens[i] == maskId ? -1 : tokens[i];
        }

        return Run();
    }

    internal bool Compute(ReadOnlySpan<long> tokens, long maskId)
    {
        CheckLength(tokens.Length);
        for (int i = 0; i < Length; i++)
        {
            _tokens[i] = tokens[i] == maskId ? -1 : (int)tokens[i];
        }

        return Run();
    }

    /// <summary>Whether <paramref name="token"/> may be committed at <paramref name="position"/> (kept feasible).</summary>
    /// <param name="position">A position of the region.</param>
    /// <param name="token">The token id.</param>
    public bool IsAllowed(int position, int token)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)position, (uint)Length, nameof(position));
        var before = Set(_backward, position);
        var after = Set(_backward, position + 1);
        for (int w = 0; w < _words; w++)
        {
            ulong bits = before[w];
            while (bits != 0)
            {
                int s = (w << 6) + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                int n = _a.Next(s, token);
                if (n >= 0 && Has(after, n))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Sets the logit of every token not allowed at <paramref name="position"/> to negative infinity.</summary>
    /// <param name="position">A position of the region.</param>
    /// <param name="logits">The position's logits, one per vocabulary id.</param>
    public void MaskLogits(int position, Span<float> logits)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)position, (uint)Length, nameof(position));
        int cw = _a.ClassWords;
        ulong[] classes = ArrayPool<ulong>.Shared.Rent(cw);
        try
        {
            Array.Clear(classes, 0, cw);
            bool end = Collect(position, classes);
            int n = Math.Min(logits.Length, _a.Vocabulary.Size);
            for (int t = 0; t < n; t++)
            {
                int c = _a.ClassOf(t);
                if (c < 0 ? !(end && _a.IsEnd(t)) : (classes[c >> 6] & (1UL << (c & 63))) == 0)
                {
                    logits[t] = float.NegativeInfinity;
                }
            }

            if (logits.Length > n)
            {
                logits[n..].Fill(float.NegativeInfinity);
            }
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(classes);
        }
    }

    /// <summary>Marks the token classes allowed at a position; returns whether the end tokens are.</summary>
    private bool Collect(int position, ulong[] classes)
    {
        var before = Set(_backward, position);
        var after = Set(_backward, position + 1);
        bool endOk = Has(after, _a.End);
        bool end = false;
        int cw = _a.ClassWords;
        for (int w = 0; w < _words; w++)
        {
            ulong bits = before[w];
            while (bits != 0)
            {
                int s = (w << 6) + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                end |= endOk && _a.IsAccepting(s);
                if (s == _a.End)
                {
                    continue;
                }

                var alive = _a.AliveClasses(s);
                if (AllIn(_a.SuccessorList(s), after))
                {
                    for (int v = 0; v < cw; v++)
                    {
                        classes[v] |= alive[v];
                    }

                    continue;
                }

                for (int v = 0; v < cw; v++)
                {
                    ulong todo = alive[v] & ~classes[v];
                    while (todo != 0)
                    {
                        int tz = BitOperations.TrailingZeroCount(todo);
                        todo &= todo - 1;
                        if (Has(after, _a.ClassNext((v << 6) + tz, s)))
                        {
                            classes[v] |= 1UL << tz;
                        }
                    }
                }
            }
        }

        return end;
    }

    private bool Run()
    {
        int w = _words;
        Array.Clear(_forward);
        Array.Clear(_backward);
        _forward[_a.Start >> 6] |= 1UL << (_a.Start & 63);
        var nibbles = _a.NibbleSuccessors;
        for (int i = 0; i < Length; i++)
        {
            int t = _tokens[i];
            int cur = i * w, next = (i + 1) * w;
            if (t < 0 && nibbles is not null)
            {
                var target = _forward.AsSpan(next, w);
                for (int x = 0; x < w; x++)
                {
                    ulong bits = _forward[cur + x];
                    while (bits != 0)
                    {
                        int nib = BitOperations.TrailingZeroCount(bits) >> 2;
                        int subset = (int)((bits >> (nib * 4)) & 15);
                        bits &= ~(15UL << (nib * 4));
                        Or(target, nibbles.AsSpan(((((x * 16) + nib) * 16) + subset) * w, w));
                    }
                }

                continue;
            }

            for (int x = 0; x < w; x++)
            {
                ulong bits = _forward[cur + x];
                while (bits != 0)
                {
                    int s = (x << 6) + BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    if (t < 0)
                    {
                        var list = _a.SuccessorList(s);
                        if (list.Length * 4 > w)
                        {
                            Or(_forward.AsSpan(next, w), _a.Successors(s));
                        }
                        else
                        {
                            foreach (ushort x2 in list)
                            {
                                _forward[next + (x2 >> 6)] |= 1UL << (x2 & 63);
                            }
                        }
                    }
                    else if (_a.Next(s, t) is int n and >= 0)
                    {
                        _forward[next + (n >> 6)] |= 1UL << (n & 63);
                    }
                }
            }
        }

        // Backward, restricted to forward-reachable states: B[L] = the accepting states (the end state included).
        for (int i = Length; i >= 0; i--)
        {
            int t = i < Length ? _tokens[i] : 0;
            int here = i * w;
            for (int x = 0; x < w; x++)
            {
                ulong bits = _forward[here + x];
                while (bits != 0)
                {
                    int s = (x << 6) + BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    bool ok;
                    if (i == Length)
                    {
                        ok = _a.IsAccepting(s);
                    }
                    else
                    {
                        var after = Set(_backward, i + 1);
                        ok = t < 0 ? AnyIn(_a.SuccessorList(s), after) : _a.Next(s, t) is int n and >= 0 && Has(after, n);
                    }

                    if (ok)
                    {
                        _backward[here + (s >> 6)] |= 1UL << (s & 63);
                    }
                }
            }
        }

        IsFeasible = Has(Set(_backward, 0), _a.Start);
        return IsFeasible;
    }

    /// <summary>The states, before position <paramref name="index"/>, that are reachable and can still complete the region.</summary>
    internal ReadOnlySpan<ulong> BackwardSet(int index) => Set(_backward, index);

    /// <summary>The automaton this pass runs over.</summary>
    internal TokenAutomaton Automaton => _a;

    private ReadOnlySpan<ulong> Set(ulong[] sets, int index) => sets.AsSpan(index * _words, _words);

    internal static bool Has(ReadOnlySpan<ulong> set, int s) => (set[s >> 6] & (1UL << (s & 63))) != 0;

    private static void Or(Span<ulong> target, ReadOnlySpan<ulong> source)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<ulong>.Count;
            for (; i <= target.Length - width; i += width)
            {
                (new Vector<ulong>(target[i..]) | new Vector<ulong>(source[i..])).CopyTo(target[i..]);
            }
        }

        for (; i < target.Length; i++)
        {
            target[i] |= source[i];
        }
    }

    private static bool AnyIn(ReadOnlySpan<ushort> states, ReadOnlySpan<ulong> set)
    {
        foreach (ushort x in states)
        {
            if (Has(set, x))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AllIn(ReadOnlySpan<ushort> states, ReadOnlySpan<ulong> set)
    {
        foreach (ushort x in states)
        {
            if (!Has(set, x))
            {
                return false;
            }
        }

        return true;
    }

    private void CheckLength(int length)
    {
        if (length != Length)
        {
            throw new ArgumentException($"The region holds {length} tokens but this pass was created for {Length} positions.", "tokens");
        }
    }
}
