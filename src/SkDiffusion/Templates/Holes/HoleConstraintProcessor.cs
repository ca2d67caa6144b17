using SkDiffusion.Sampling.Constraints;

namespace SkDiffusion.Templates.Holes;

/// <summary>
/// The constraint of one hole: its positions take the tokens <see cref="HoleContent"/> allows, and the hole ends with
/// EOS padding: EOS only after the minimum length and where no content follows, and only EOS after an EOS. A hole
/// may start with its lead as a token of its own only before a token the tokenizer keeps apart from it. The hole's
/// place is computed from the end of the row (the compiled document closes the row).
/// </summary>
internal sealed class HoleConstraintProcessor : ILogitProcessor
{
    private readonly int _regionLength;
    private readonly int _offset;
    private readonly int _length;
    private readonly int _minLength;
    private readonly bool[] _first;
    private readonly bool[] _rest;
    private readonly int _maskId;
    private readonly int _endId;
    private readonly Func<long, bool> _isEnd;
    private readonly int _bareLead;
    private readonly bool[]? _afterBareLead;

    public HoleConstraintProcessor(int regionLength, int offset, int length, int minLength, bool[] first, bool[] rest, int maskId, int endId, Func<long, bool> isEnd, int? bareLead = null, bool[]? afterBareLead = null)
    {
        _bareLead = afterBareLead is null ? -1 : bareLead ?? -1;
        _afterBareLead = afterBareLead;
        _regionLength = regionLength;
        _offset = offset;
        _length = length;
        _minLength = minLength;
        _first = first;
        _rest = rest;
        _maskId = maskId;
        _endId = endId;
        _isEnd = isEnd;
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

        bool endBefore = false, contentAfter = false;
        for (int j = 0; j < _length; j++)
        {
            long t = tokens[start + j];
            if (j == rel || t == _maskId)
            {
                continue;
            }

            bool end = _isEnd(t);
            endBefore |= end && j < rel;
            contentAfter |= !end && j > rel;
        }

        if (endBefore)
        {
            float keep = logits[_endId];
            logits.Fill(float.NegativeInfinity);
            logits[_endId] = float.IsNegativeInfinity(keep) ? 0 : keep;
            return;
        }

        bool allowEnd = rel >= _minLength && !contentAfter;
        var mask = rel == 0 ? _first : _rest;
        bool bareAllowed = false;
        if (_bareLead >= 0 && _length > 1)
        {
            if (rel == 0)
            {
                // The lead alone, if what follows (when committed) is kept apart from it by the tokenizer.
                long next = tokens[start + 1];
                bareAllowed = next == _maskId || (next < _afterBareLead!.Length && _afterBareLead[next]);
            }
            else if (rel == 1 && tokens[start] == _bareLead)
            {
                mask = _afterBareLead!;
                allowEnd = false;
            }
        }

        for (int v = 0; v < logits.Length; v++)
        {
            if (v == _endId ? !allowEnd : (v >= mask.Length || !mask[v]) && !(bareAllowed && v == _bareLead))
            {
                logits[v] = float.NegativeInfinity;
            }
        }
    }
}
