using System.Numerics;
using SkDiffusion.Grammars.Internal;

namespace SkDiffusion.Grammars;

/// <summary>
/// The most probable completion of a grammar region under one step's per-position distributions, by dynamic
/// programming over positions × automaton states (the DINGO formulation: the positions are scored independently, so
/// the best word of a regular language is a shortest path in their product). A committed position holds its token,
/// a masked position whose distribution was <see cref="Record"/>ed adds the log-probability of the token the path puts
/// there, and a masked position without one (outside the step's block) may hold any token at no cost.
/// Greedy constrained decoding instead takes each position's most probable feasible token on its own: when the model
/// prefers a value the grammar forbids (a misspelt name under a copy constraint), that rule keeps whatever single
/// token scores best, while the search weighs whole values, every position of them.
/// </summary>
/// <remarks>
/// Per step the cost is one pass over the vocabulary per recorded position (the best token of each token class) and
/// one relaxation per position, live state and live class. <see cref="Record"/> may run concurrently for distinct
/// positions; <see cref="Solve"/> is not thread-safe.
/// </remarks>
internal sealed class GrammarPathSearch
{
    /// <summary>
    /// The most (positions + 1) × states cells a search may hold (16 bytes each, 16 MB); a larger slot chooses its
    /// tokens locally (<see cref="Fits"/>). The 10-field benchmark schema on a 126,464-token vocabulary at 256
    /// positions needs about 0.8 million.
    /// </summary>
    public const long MaxCells = 1_000_000;

    private readonly TokenAutomaton _a;
    private readonly GrammarFeasibility _pass;
    private readonly int _classes;
    private readonly float[] _classBest;
    private readonly int[] _classToken;
    private readonly float[] _endBest;
    private readonly int[] _endToken;
    private readonly bool[] _recorded;
    private readonly double[] _score;
    private readonly int[] _fromState;
    private readonly int[] _fromToken;
    private readonly int[] _path;
    private readonly double[] _pathLogProbability;
    private readonly GrammarFeasibility _check;

    internal GrammarPathSearch(TokenAutomaton automaton, GrammarFeasibility pass)
    {
        _a = automaton;
        _pass = pass;
        int length = pass.Length;
        _classes = automaton.ClassCount;
        _classBest = new float[checked(length * _classes)];
        _classToken = new int[length * _classes];
        _endBest = new float[length];
        _endToken = new int[length];
        _recorded = new bool[length];
        int cells = checked((length + 1) * automaton.StateCount);
        _score = new double[cells];
        _fromState = new int[cells];
        _fromToken = new int[cells];
        _path = new int[length];
        _pathLogProbability = new double[length];
        _check = new GrammarFeasibility(automaton, length);
    }

    /// <summary>The region length in positions.</summary>
    public int Length => _pass.Length;

    /// <summary>Whether a search over <paramref name="length"/> positions of <paramref name="automaton"/> stays within <see cref="MaxCells"/>.</summary>
    public static bool Fits(TokenAutomaton automaton, int length) => (length + 1L) * automaton.StateCount <= MaxCells;

    /// <summary>Forgets every recorded distribution (before a new step).</summary>
    public void Clear() => Array.Clear(_recorded);

    /// <summary>
    /// Records a masked position's distribution: for each token class the most probable token and its log-probability,
    /// and the most probable end token.
    /// </summary>
    /// <param name="position">A position of the region.</param>
    /// <param name="logits">The position's processed logits (forbidden tokens at negative infinity).</param>
    /// <param name="logSumExp">The log of the sum of their exponentials (the normaliser).</param>
    public void Record(int position, ReadOnlySpan<float> logits, double logSumExp)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)position, (uint)Length, nameof(position));
        var best = _classBest.AsSpan(position * _classes, _classes);
        var token = _classToken.AsSpan(position * _classes, _classes);
        best.Fill(float.NegativeInfinity);
        token.Fill(-1);
        float end = float.NegativeInfinity;
        int endToken = -1;
        int n = Math.Min(logits.Length, _a.Vocabulary.Size);
        for (int t = 0; t < n; t++)
        {
            float x = logits[t];
            if (float.IsNegativeInfinity(x))
            {
                continue;
            }

            int c = _a.ClassOf(t);
            if (c >= 0)
            {
                if (x > best[c])
                {
                    best[c] = x;
                    token[c] = t;
                }
            }
            else if (x > end && _a.IsEnd(t))
            {
                end = x;
                endToken = t;
            }
        }

        float lse = (float)logSumExp;
        for (int c = 0; c < best.Length; c++)
        {
            best[c] -= lse;
        }

        _endBest[position] = end - lse;
        _endToken[position] = endToken;
        _recorded[position] = true;
    }

    /// <summary>
    /// Finds the best completion of <paramref name="tokens"/> (the feasibility pass must hold these tokens' sets).
    /// Afterwards <see cref="TokenAt"/> and <see cref="LogProbabilityAt"/> give the path at every recorded position.
    /// </summary>
    /// <param name="tokens">The region's tokens, <paramref name="maskId"/> where undecided.</param>
    /// <param name="maskId">The mask token id.</param>
    /// <returns>False when no completion exists (the pass found the region infeasible).</returns>
    public bool Solve(ReadOnlySpan<long> tokens, long maskId)
    {
        if (tokens.Length != Length)
        {
            throw new ArgumentException($"The region holds {tokens.Length} tokens but this search was created for {Length} positions.", nameof(tokens));
        }

        if (!_pass.IsFeasible)
        {
            return false;
        }

        int states = _a.StateCount;
        Array.Fill(_score, double.NegativeInfinity);
        _score[_a.Start] = 0;
        for (int i = 0; i < Length; i++)
        {
            int here = i * states, next = (i + 1) * states;
            long fixedToken = tokens[i];
            bool masked = fixedToken == maskId;
            bool recorded = masked && _recorded[i];
            var after = _pass.BackwardSet(i + 1);
            for (int s = 0; s < states; s++)
            {
                double at = _score[here + s];
                if (double.IsNegativeInfinity(at))
                {
                    continue;
                }

                if (!masked)
                {
                    int n = _a.Next(s, (int)fixedToken);
                    Relax(after, next, n, at, s, (int)fixedToken);
                    continue;
                }

                if (!recorded)
                {
                    // No distribution here: any allowed token, at no cost, so only the successor states matter.
                    foreach (ushort n in _a.SuccessorList(s))
                    {
                        Relax(after, next, n, at, s, -1);
                    }

                    continue;
                }

                if (_a.IsAccepting(s) && Has(after, _a.End))
                {
                    Relax(after, next, _a.End, at + _endBest[i], s, _endToken[i]);
                }

                if (s == _a.End)
                {
                    continue;
                }

                var alive = _a.AliveClasses(s);
                for (int w = 0; w < alive.Length; w++)
                {
                    ulong bits = alive[w];
                    while (bits != 0)
                    {
                        int c = (w << 6) + BitOperations.TrailingZeroCount(bits);
                        bits &= bits - 1;
                        int cell = (i * _classes) + c;
                        if (_classToken[cell] >= 0)
                        {
                            Relax(after, next, _a.ClassNext(c, s), at + _classBest[cell], s, _classToken[cell]);
                        }
                    }
                }
            }
        }

        int last = Length * states;
        int bestState = -1;
        for (int s = 0; s < states; s++)
        {
            if (_a.IsAccepting(s) && !double.IsNegativeInfinity(_score[last + s]) && (bestState < 0 || _score[last + s] > _score[last + bestState]))
            {
                bestState = s;
            }
        }

        if (bestState < 0)
        {
            return false;
        }

        for (int i = Length - 1, s = bestState; i >= 0; i--)
        {
            int cell = ((i + 1) * states) + s;
            _path[i] = _fromToken[cell];
            int prev = _fromState[cell];
            _pathLogProbability[i] = _score[cell] - _score[(i * states) + prev];
            s = prev;
        }

        return true;
    }

    /// <summary>
    /// Whether the region completed with <paramref name="tokens"/> (masked positions may hold any token) still spells a
    /// word followed by end tokens. When the positions' own best tokens pass, they are already the most probable
    /// completion and <see cref="Solve"/> can be skipped.
    /// </summary>
    /// <param name="tokens">The region's tokens, <paramref name="maskId"/> where any token may stand.</param>
    /// <param name="maskId">The mask token id.</param>
    /// <exception cref="ArgumentException">The region's length is not <see cref="Length"/>.</exception>
    public bool IsCompletable(ReadOnlySpan<long> tokens, long maskId) => _check.Compute(tokens, maskId);

    /// <summary>The path's token at a recorded masked position (after a successful <see cref="Solve"/>).</summary>
    public int TokenAt(int position) => _path[position];

    /// <summary>The log-probability of the path's token at a recorded masked position.</summary>
    public double LogProbabilityAt(int position) => _pathLogProbability[position];

    /// <summary>Whether a distribution was recorded at the position since the last <see cref="Clear"/>.</summary>
    public bool IsRecorded(int position) => _recorded[position];

    private void Relax(ReadOnlySpan<ulong> after, int next, int state, double value, int from, int token)
    {
        if (state < 0 || !Has(after, state))
        {
            return;
        }

        int cell = next + state;
        if (value > _score[cell])
        {
            _score[cell] = value;
            _fromState[cell] = from;
            _fromToken[cell] = token;
        }
    }

    private static bool Has(ReadOnlySpan<ulong> set, int s) => GrammarFeasibility.Has(set, s);
}
