namespace SkDiffusion.Tokenization;

/// <summary>
/// Turns token ids that arrive a few at a time into text. A UTF-8 character split across tokens decodes to U+FFFD
/// until its last byte arrives, so the decoder re-decodes the pending ids and holds back a trailing U+FFFD.
/// </summary>
public sealed class StreamingDecoder
{
    private readonly DiffusionTokenizer _tokenizer;
    private readonly bool _skipSpecialTokens;
    private readonly List<int> _pending = [];

    internal StreamingDecoder(DiffusionTokenizer tokenizer, bool skipSpecialTokens)
    {
        _tokenizer = tokenizer;
        _skipSpecialTokens = skipSpecialTokens;
    }

    /// <summary>Adds ids and returns the text that is now complete (possibly empty).</summary>
    /// <param name="ids">The next ids.</param>
    public string Append(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        _pending.AddRange(ids);
        string text = _tokenizer.Decode(_pending, _skipSpecialTokens);
        int end = text.Length;
        while (end > 0 && text[end - 1] == '\uFFFD')
        {
            end--;
        }

        if (end == text.Length)
        {
            _pending.Clear();
            return text;
        }

        // Keep the ids that produced the held-back tail; emit the rest. Find the shortest prefix that decodes to text[..end].
        for (int keep = 1; keep <= _pending.Count; keep++)
        {
            int cut = _pending.Count - keep;
            string head = _tokenizer.Decode(_pending.Take(cut), _skipSpecialTokens);
            if (head.Length <= end && !head.EndsWith('\uFFFD'))
            {
                _pending.RemoveRange(0, cut);
                return head;
            }
        }

        return string.Empty;
    }

    /// <summary>Returns whatever is still held back (an incomplete character decodes to U+FFFD) and resets.</summary>
    public string Flush()
    {
        string text = _tokenizer.Decode(_pending, _skipSpecialTokens);
        _pending.Clear();
        return text;
    }
}
