using SkDiffusion.Sampling;
using SkDiffusion.Templates;

namespace SkDiffusion.Tests.Templates;

/// <summary>
/// A tiny greedy longest-match tokenizer: every printable ASCII character is a token, plus a few words (with and
/// without a leading space), then EOS and MASK.
/// </summary>
internal sealed class TestTokenizer : ITemplateTokenizer
{
    private static readonly string[] Words = ["true", "false", " true", " false", "cat", "dog", " cat", " dog", " Paris", "Paris", "Bob", " Bob", "12", "\"x"];

    private readonly List<string> _tokens = [];

    public TestTokenizer()
    {
        for (char c = ' '; c <= '~'; c++)
        {
            _tokens.Add(c.ToString());
        }

        _tokens.Add("\n");
        _tokens.AddRange(Words);
        Eos = _tokens.Count;
        Mask = _tokens.Count + 1;
        VocabularySize = _tokens.Count + 2;
        SpecialTokenIds = new HashSet<int> { Eos, Mask };
    }

    public int Eos { get; }

    public int Mask { get; }

    public SpecialTokenIds Ids => new(Mask, Eos);

    public int VocabularySize { get; }

    public IReadOnlySet<int> SpecialTokenIds { get; }

    public int Id(string token) => _tokens.IndexOf(token) is int i and >= 0 ? i : throw new KeyNotFoundException(token);

    public IReadOnlyList<int> Encode(string text)
    {
        var ids = new List<int>();
        int p = 0;
        while (p < text.Length)
        {
            int best = -1;
            int bestLength = 0;
            for (int id = 0; id < _tokens.Count; id++)
            {
                string t = _tokens[id];
                if (t.Length > bestLength && string.CompareOrdinal(text, p, t, 0, t.Length) == 0)
                {
                    best = id;
                    bestLength = t.Length;
                }
            }

            if (best < 0)
            {
                throw new ArgumentException($"Cannot encode '{text[p]}'.");
            }

            ids.Add(best);
            p += bestLength;
        }

        return ids;
    }

    public string Decode(IEnumerable<int> tokenIds) => string.Concat(tokenIds.Where(id => id < _tokens.Count).Select(id => _tokens[id]));
}
