using SkDiffusion.Sampling.Constraints;

namespace SkDiffusion.Templates.Internal;

/// <summary>
/// The constraints of one compiled slot, applied per position: allowed token masks (first position and the rest),
/// where the end token may go (minimum length, nothing after an end), digit/character budgets, one decimal point,
/// and for enums the options consistent with what is already committed. The slot's place in the row is computed from
/// the end of the row: the answer region (the compiled template) always closes the row.
/// </summary>
internal sealed class SlotConstraintProcessor : ILogitProcessor
{
    private readonly int _regionLength;
    private readonly int _offset;
    private readonly int _length;
    private readonly int _minLength;
    private readonly bool _variable;
    private readonly bool[]? _first;
    private readonly bool[]? _rest;
    private readonly int _maskId;
    private readonly Func<long, bool> _isEnd;
    private readonly int _endId;
    private readonly int _budget;
    private readonly bool[]? _budgetTokens;
    private readonly HashSet<int>? _once;
    private readonly IReadOnlyList<int[]>? _choices;

    public SlotConstraintProcessor(int regionLength, int offset, int length, int minLength, bool variable, bool[]? first, bool[]? rest, int maskId, int endId, Func<long, bool> isEnd, int budget = int.MaxValue, bool[]? budgetTokens = null, HashSet<int>? once = null, IReadOnlyList<int[]>? choices = null)
    {
        _regionLength = regionLength;
        _offset = offset;
        _length = length;
        _minLength = minLength;
        _variable = variable;
        _first = first;
        _rest = rest;
        _maskId = maskId;
        _endId = endId;
        _isEnd = isEnd;
        _budget = budget;
        _budgetTokens = budgetTokens;
        _once = once;
        _choices = choices;
    }

    public void Process(in LogitProcessorContext context, Span<float> logits)
    {
        var tokens = context.Tokens.Span;
        int start = tokens.Length - _regionLength + _offset;
        int rel = context.Position - start;
        if (rel < 0 || rel >= _length)
        {
            return;
        }

        var slot = tokens.Slice(start, _length);
        bool endBefore = false, contentAfter = false, onceUsed = false;
        int budgetUsed = 0;
        for (int j = 0; j < _length; j++)
        {
            long t = slot[j];
            if (t == _maskId || j == rel)
            {
                continue;
            }

            bool end = _isEnd(t);
            if (end && j < rel)
            {
                endBefore = true;
            }

            if (!end && j > rel)
            {
                contentAfter = true;
            }

            if (_budgetTokens is not null && t < _budgetTokens.Length && _budgetTokens[t])
            {
                budgetUsed++;
            }

            if (_once is not null && _once.Contains((int)t))
            {
                onceUsed = true;
            }
        }

        bool allowEnd = _variable && rel >= _minLength && !contentAfter;
        if (_variable && endBefore)
        {
            Only(logits, _endId);
            return;
        }

        if (_choices is not null)
        {
            ApplyChoices(slot, rel, logits, allowEnd);
            return;
        }

        var mask = rel == 0 ? _first : _rest;
        bool noBudget = budgetUsed >= _budget;
        for (int v = 0; v < logits.Length; v++)
        {
            if (v == _endId && allowEnd)
            {
                continue;
            }

            bool ok = mask is null ? v != _endId : mask[v];
            if (ok && noBudget && _budgetTokens is not null && _budgetTokens[v])
            {
                ok = false;
            }

            if (ok && onceUsed && _once!.Contains(v))
            {
                ok = false;
            }

            if (!ok)
            {
                logits[v] = float.NegativeInfinity;
            }
        }

        if (noBudget && allowEnd is false && _variable && rel >= _minLength)
        {
            // Budget spent but content follows: nothing sensible is left; keep the end token as the least harm.
            logits[_endId] = Math.Max(logits[_endId], -1e4f);
        }
    }

    private void ApplyChoices(ReadOnlySpan<long> slot, int rel, Span<float> logits, bool allowEnd)
    {
        var allowed = new HashSet<int>();
        bool end = false;
        for (int pass = 0; pass < 2 && allowed.Count == 0 && !end; pass++)
        {
            foreach (var choice in _choices!)
            {
                if (pass == 0 && !Consistent(choice, slot, rel))
                {
                    continue;
                }

                if (rel < choice.Length)
                {
                    allowed.Add(choice[rel]);
                }
                else if (allowEnd || pass == 1)
                {
                    end = true;
                }
            }
        }

        for (int v = 0; v < logits.Length; v++)
        {
            if (!(allowed.Contains(v) || (end && v == _endId)))
            {
                logits[v] = float.NegativeInfinity;
            }
        }
    }

    private bool Consistent(int[] choice, ReadOnlySpan<long> slot, int rel)
    {
        for (int j = 0; j < slot.Length; j++)
        {
            long t = slot[j];
            if (j == rel || t == _maskId)
            {
                continue;
            }

            if (j < choice.Length ? t != choice[j] : j == choice.Length && !_isEnd(t))
            {
                return false;
            }
        }

        return true;
    }

    private static void Only(Span<float> logits, int id)
    {
        float keep = logits[id];
        logits.Fill(float.NegativeInfinity);
        logits[id] = float.IsNegativeInfinity(keep) ? 0 : keep;
    }
}
