using System.Collections.Concurrent;

namespace SkDiffusion.Templates;

/// <summary>
/// A view of the vocabulary for slot constraints: every token's text, decoded alone, and cached token sets such as
/// "single digits" (for int slots) or "safe inside a JSON string" (for string slots). Build it once per tokenizer and
/// share it: it decodes every id once.
/// </summary>
public sealed class TokenVocabulary
{
    private readonly string?[] _texts;
    private readonly ConcurrentDictionary<string, bool[]> _masks = new();

    private TokenVocabulary(ITemplateTokenizer tokenizer)
    {
        Tokenizer = tokenizer;
        _texts = new string?[tokenizer.VocabularySize];
        for (int id = 0; id < _texts.Length; id++)
        {
            if (!tokenizer.SpecialTokenIds.Contains(id))
            {
                string t;
                try
                {
                    t = tokenizer.Decode([id]);
                }
                catch (Exception ex) when (ex is ArgumentException or KeyNotFoundException or InvalidOperationException)
                {
                    t = "";
                }

                _texts[id] = t.Length == 0 ? null : t;
            }
        }
    }

    /// <summary>The tokenizer.</summary>
    public ITemplateTokenizer Tokenizer { get; }

    /// <summary>The vocabulary size.</summary>
    public int Size => _texts.Length;

    /// <summary>Creates the view (decodes every token id once).</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    public static TokenVocabulary Create(ITemplateTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return new TokenVocabulary(tokenizer);
    }

    /// <summary>The text of a token decoded alone, or <see langword="null"/> for special or empty tokens.</summary>
    /// <param name="tokenId">The id.</param>
    public string? GetText(int tokenId) => (uint)tokenId < (uint)_texts.Length ? _texts[tokenId] : null;

    /// <summary>The ids of the ordinary tokens whose text satisfies <paramref name="predicate"/>.</summary>
    /// <param name="predicate">The test on the token text.</param>
    public IEnumerable<int> Where(Func<string, bool> predicate)
    {
        for (int id = 0; id < _texts.Length; id++)
        {
            if (_texts[id] is { } t && predicate(t))
            {
                yield return id;
            }
        }
    }

    /// <summary>A cached boolean mask over the vocabulary (true = allowed).</summary>
    /// <param name="key">The cache key naming the predicate.</param>
    /// <param name="predicate">The test on the token text.</param>
    internal bool[] GetMask(string key, Func<string, bool> predicate) => _masks.GetOrAdd(key, _ =>
    {
        var mask = new bool[_texts.Length];
        for (int id = 0; id < _texts.Length; id++)
        {
            mask[id] = _texts[id] is { } t && predicate(t);
        }

        return mask;
    });

    internal static bool IsDigits(string t) => t.Length > 0 && t.All(char.IsAsciiDigit);

    internal static bool IsJsonSafe(string t) => t.All(c => c != '"' && c != '\\' && c >= ' ');
}
