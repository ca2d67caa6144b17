using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Templates.Internal;

namespace SkDiffusion.Templates.Holes;

/// <summary>
/// Lays out a <see cref="HoleDocument"/> as a canvas: the text before each hole as this tokenizer splits it, the
/// hole's masked positions, the text after. Where the tokenizer merges the end of the text before a hole with what
/// follows (a <c>Ġword</c> tokenizer folds a trailing space into the next word), that text becomes the hole's lead:
/// its first token must start with it. Every hole is variable-length and ends with EOS padding.
/// </summary>
/// <example>
/// <code>
/// var holes = HoleCompiler.Create(vocabulary, SpecialTokenIds.FromManifest(package.Manifest.TokenIds));
/// var compiled = holes.Compile(HoleDocument.Parse("The capital of Feshai is [[MASK:1]]."));
/// var result = await sampler.SampleAsync(DiffusionCanvas.FromTemplate([bos], compiled.Canvas), options);
/// string text = compiled.Read(result.Sequences[0]).Text;
/// </code>
/// </example>
public sealed class HoleCompiler
{
    private readonly TokenVocabulary _vocabulary;
    private readonly SpecialTokenIds _ids;
    private readonly HoleContent _content;

    private HoleCompiler(TokenVocabulary vocabulary, SpecialTokenIds ids, int tokensPerWord)
    {
        _vocabulary = vocabulary;
        _ids = ids;
        _content = new HoleContent(vocabulary);
        TokensPerWord = tokensPerWord;
    }

    /// <summary>The token budget of one word (see <see cref="HoleCompilerOptions.TokensPerWord"/>).</summary>
    public int TokensPerWord { get; }

    /// <summary>Creates a compiler.</summary>
    /// <param name="vocabulary">The vocabulary view (share one per tokenizer).</param>
    /// <param name="tokenIds">The model's special ids (mask; EOS pads a hole).</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="HoleCompilerOptions.TokensPerWord"/> is below 1 or above 64.</exception>
    public static HoleCompiler Create(TokenVocabulary vocabulary, SpecialTokenIds tokenIds, HoleCompilerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(tokenIds);
        int? perWord = options?.TokensPerWord;
        if (perWord is int n && (n < 1 || n > 64))
        {
            throw new ArgumentOutOfRangeException(nameof(options), n, "HoleCompilerOptions.TokensPerWord must be between 1 and 64 (or null to measure it on the tokenizer).");
        }

        return new HoleCompiler(vocabulary, tokenIds, perWord ?? OrdinaryWords.TokensPerWord(vocabulary.Tokenizer));
    }

    /// <summary>The masked positions a hole of <paramref name="length"/> gets.</summary>
    /// <param name="length">The hole's length.</param>
    /// <returns>Words times <see cref="TokensPerWord"/>; one per character; the token count; at most <see cref="TemplateSlot.MaxAllowedLength"/>.</returns>
    public int TokenBudget(HoleLength length)
    {
        long budget = length.Unit switch
        {
            HoleUnit.Words => (long)length.Count * TokensPerWord,
            _ => length.Count,
        };
        return (int)Math.Clamp(budget, 1, TemplateSlot.MaxAllowedLength);
    }

    /// <summary>Compiles a document.</summary>
    /// <param name="document">The document.</param>
    /// <returns>The canvas and what is needed to read the filled document back.</returns>
    public CompiledDocument Compile(HoleDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var tokenizer = _vocabulary.Tokenizer;
        int count = document.Holes.Count;
        var fixedTokens = new int[count + 1][];
        var leads = new string[count];
        for (int i = 0; i < count; i++)
        {
            string text = document.Texts[i];
            var (tokens, lead) = TokenBoundaryProbe.Before(tokenizer, text, TokenBoundaryProbe.WordProbes);
            if (lead.Length > 0 && !_content.CanLead(lead))
            {
                // No token starts with what merges: the text stays fixed as the tokenizer splits it alone.
                (tokens, lead) = ([.. tokenizer.Encode(text)], "");
            }

            fixedTokens[i] = tokens;
            leads[i] = lead;
        }

        fixedTokens[count] = [.. tokenizer.Encode(document.Texts[count])];
        var budgets = document.Holes.Select(TokenBudget).ToArray();
        int regionLength = fixedTokens.Sum(t => t.Length) + budgets.Sum();

        var canvas = new CanvasTemplate();
        var offsets = new int[count];
        int offset = 0;
        for (int i = 0; i < count; i++)
        {
            canvas.AddTokens(fixedTokens[i]);
            offset += fixedTokens[i].Length;
            var length = document.Holes[i];
            int min = Math.Min(HoleContent.MinTokens(length), budgets[i]);
            bool afterSpace = document.Texts[i].Length > 0 && char.IsWhiteSpace(document.Texts[i][^1]);
            int? bare = _content.BareLead(leads[i]);
            var afterBare = bare is int b ? _content.AfterBareLead(leads[i], b) : null;
            var processor = new HoleConstraintProcessor(regionLength, offset, budgets[i], min, _content.First(leads[i], afterSpace, document.Texts[i + 1]), _content.Rest, _ids.Mask, _ids.Eos, _ids.IsEndOrPad, bare, afterBare);
            canvas.AddSlot(budgets[i], new CanvasSlotOptions { Name = $"hole{i}", LogitProcessor = processor, VariableLength = min < budgets[i] });
            offsets[i] = offset;
            offset += budgets[i];
        }

        canvas.AddTokens(fixedTokens[count]);
        return new CompiledDocument(document, canvas, offsets, budgets, leads, tokenizer, _ids);
    }
}
