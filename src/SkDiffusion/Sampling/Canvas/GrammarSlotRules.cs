using SkDiffusion.Grammars;

namespace SkDiffusion.Sampling.Canvas;

/// <summary>The checks a grammar-constrained slot must pass when it is added to a template.</summary>
internal static class GrammarSlotRules
{
    public static void Check(TokenGrammar grammar, int length, CanvasSlotOptions options)
    {
        if (!options.VariableLength)
        {
            throw new ArgumentException("A slot with a Grammar must set VariableLength = true: the word is followed by end tokens (EOS padding).", nameof(options));
        }

        if (options.AllowedTokens is not null)
        {
            throw new ArgumentException("A slot cannot have both AllowedTokens and a Grammar: express the allowed tokens in the grammar.", nameof(options));
        }

        if (length < grammar.MinimumTokens)
        {
            throw new ArgumentException($"The slot has {length} positions but the shortest word of the grammar ({grammar.Description}) needs {grammar.MinimumTokens} tokens: use at least {grammar.MinimumTokens} (TokenGrammar.SuggestAnswerLength() gives room for longer values).", nameof(length));
        }
    }
}
