using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Constraints;
using SkDiffusion.Sampling.Internal.Selection;

namespace SkDiffusion.Sampling.Internal;

/// <summary>
/// The sampler's hook for grammar slots: installs a <see cref="GrammarSlotConstraint"/> as the slot's constraint,
/// refreshes the feasibility sets before each step, and filters a step's commits in rank order so that every commit
/// keeps the slot feasible (a candidate that became infeasible stays masked for a later step; the best-ranked commit
/// of a slot is always feasible, so every step makes progress).
/// </summary>
internal sealed class GrammarGate
{
    private readonly GrammarSlotConstraint[][] _rows;
    private readonly long _maskId;
    private long[] _scratch = [];
    private int[] _order = [];

    private GrammarGate(GrammarSlotConstraint[][] rows, long maskId)
    {
        _rows = rows;
        _maskId = maskId;
    }

    /// <summary>The gate for a canvas, or null when no slot has a grammar; fills the slots' constraints.</summary>
    /// <param name="canvas">The canvas.</param>
    /// <param name="vocabularySize">The denoiser's vocabulary size.</param>
    /// <param name="ids">The special token ids.</param>
    /// <param name="slotConstraints">The per-row, per-slot constraints to fill.</param>
    /// <param name="search">Whether the slots choose candidates by path search (<see cref="ChoosePaths"/>).</param>
    public static GrammarGate? Create(DiffusionCanvas canvas, int vocabularySize, SpecialTokenIds ids, ILogitProcessor?[][] slotConstraints, bool search)
    {
        GrammarSlotConstraint[][]? rows = null;
        for (int r = 0; r < canvas.BatchSize; r++)
        {
            var list = new List<GrammarSlotConstraint>();
            foreach (var slot in canvas.Sequences[r].Slots)
            {
                if (slot.Options.Grammar is not { } grammar)
                {
                    continue;
                }

                if (grammar.Vocabulary.Size != vocabularySize)
                {
                    throw new ArgumentException($"Slot {slot.Index} of row {r} has a grammar built for a vocabulary of {grammar.Vocabulary.Size} tokens, but the denoiser's has {vocabularySize}: build the grammar from the model's own package (ByteVocabulary.FromPackage).", nameof(canvas));
                }

                if (grammar.Vocabulary.EosId != ids.Eos)
                {
                    throw new ArgumentException($"Slot {slot.Index} of row {r} has a grammar whose EOS id {grammar.Vocabulary.EosId} differs from the sampler's {ids.Eos}.", nameof(canvas));
                }

                var constraint = new GrammarSlotConstraint(slot, grammar, ids.Mask, search);
                slotConstraints[r][slot.Index] = constraint;
                list.Add(constraint);
            }

            if (list.Count > 0)
            {
                rows ??= new GrammarSlotConstraint[canvas.BatchSize][];
                rows[r] = [.. list];
            }
        }

        if (rows is null)
        {
            return null;
        }

        for (int r = 0; r < rows.Length; r++)
        {
            rows[r] ??= [];
        }

        return new GrammarGate(rows, ids.Mask);
    }

    /// <summary>Recomputes the row's grammar slots from its current tokens (padding excluded).</summary>
    public void Refresh(int row, ReadOnlySpan<long> rowTokens)
    {
        foreach (var c in _rows[row])
        {
            if (!c.Refresh(rowTokens))
            {
                throw new InvalidOperationException($"Grammar slot {c.Slot.Index} of row {row} can no longer spell a word of {c.Grammar.Description}: its committed tokens were changed outside the grammar.");
            }
        }
    }

    /// <summary>
    /// Drops chosen candidates that would make a grammar slot infeasible, checking them in rank order (best score
    /// first) against the row with the earlier accepted commits applied.
    /// </summary>
    public void FilterCommits(int row, ReadOnlySpan<long> rowTokens, ReadOnlySpan<int> positions, ReadOnlySpan<int> tokens, ReadOnlySpan<double> scores, Span<bool> chosen)
    {
        var constraints = _rows[row];
        if (constraints.Length == 0)
        {
            return;
        }

        if (_scratch.Length < rowTokens.Length)
        {
            _scratch = new long[rowTokens.Length];
        }

        if (_order.Length < positions.Length)
        {
            _order = new int[positions.Length];
        }

        var state = _scratch.AsSpan(0, rowTokens.Length);
        rowTokens.CopyTo(state);
        int n = 0;
        for (int i = 0; i < positions.Length; i++)
        {
            if (chosen[i])
            {
                _order[n++] = i;
            }
        }

        var order = _order.AsSpan(0, n);
        var s = scores.ToArray();
        var p = positions.ToArray();
        order.Sort((a, b) => s[b] != s[a] ? s[b].CompareTo(s[a]) : p[a].CompareTo(p[b]));
        var stale = new bool[constraints.Length];
        foreach (int i in order)
        {
            int c = SlotOf(constraints, positions[i]);
            if (c >= 0)
            {
                var k = constraints[c];
                if (stale[c])
                {
                    k.Pass.Compute(state.Slice(k.Slot.Start, k.Slot.Length), _maskId);
                }

                if (!k.Pass.IsAllowed(positions[i] - k.Slot.Start, tokens[i]))
                {
                    chosen[i] = false;
                    continue;
                }

                stale[c] = true;
            }

            state[positions[i]] = tokens[i];
        }
    }

    /// <summary>
    /// With path search: replaces each grammar-slot candidate of the scored set by the token that the slot's most
    /// probable completion puts at its position, with that token's probability (and, for confidence scores, score).
    /// A slot whose search finds no completion keeps its local candidates.
    /// </summary>
    public void ChoosePaths(int row, ReadOnlySpan<long> rowTokens, CandidateSet set, bool confidenceScores)
    {
        foreach (var k in _rows[row])
        {
            if (k.Search is not { } search)
            {
                continue;
            }

            // The positions' own best tokens, when they complete the slot together, are already its most probable
            // completion: the search would change nothing.
            var region = rowTokens.Slice(k.Slot.Start, k.Slot.Length);
            if (_scratch.Length < region.Length)
            {
                _scratch = new long[region.Length];
            }

            var picks = _scratch.AsSpan(0, region.Length);
            region.CopyTo(picks);
            for (int i = 0; i < set.Count; i++)
            {
                int at = set.Position[i] - k.Slot.Start;
                if ((uint)at < (uint)picks.Length && search.IsRecorded(at))
                {
                    picks[at] = set.Token[i];
                }
            }

            if (search.IsCompletable(picks, _maskId) || !search.Solve(region, _maskId))
            {
                continue;
            }

            for (int i = 0; i < set.Count; i++)
            {
                int local = set.Position[i] - k.Slot.Start;
                if ((uint)local >= (uint)k.Slot.Length || !search.IsRecorded(local) || search.TokenAt(local) is not (>= 0 and int token) || token == set.Token[i])
                {
                    continue;
                }

                double probability = Math.Exp(search.LogProbabilityAt(local));
                set.Token[i] = token;
                set.Probability[i] = probability;
                if (confidenceScores)
                {
                    set.Score[i] = probability;
                }
            }
        }
    }

    private static int SlotOf(GrammarSlotConstraint[] constraints, int position)
    {
        for (int c = 0; c < constraints.Length; c++)
        {
            var slot = constraints[c].Slot;
            if (position >= slot.Start && position < slot.Start + slot.Length)
            {
                return c;
            }
        }

        return -1;
    }
}
