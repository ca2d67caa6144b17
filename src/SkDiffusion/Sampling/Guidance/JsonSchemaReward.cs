using System.Text.Json;
using SkDiffusion.Grammars;

namespace SkDiffusion.Sampling.Guidance;

/// <summary>
/// Schema validity: 1 when the answer is a JSON document of the schema, else 0. The schema is compiled to the
/// library's JSON grammar (<see cref="TokenGrammar.FromJsonSchema(JsonElement, ByteVocabulary, GrammarOptions?)"/>),
/// which fixes the layout the grammar decoding produces (<c>{"key": value, ...}</c>, canonical spacing). Mid-decoding,
/// the text before the first masked position must still be completable to such a document.
/// </summary>
public sealed class JsonSchemaReward : TextReward
{
    private readonly TokenGrammar _grammar;

    /// <summary>Creates the reward.</summary>
    /// <param name="schema">The JSON schema (the subset in docs/grammars.md).</param>
    /// <exception cref="ArgumentException">The schema is an undefined element.</exception>
    /// <exception cref="GrammarException">A keyword is unsupported, of the wrong type or contradictory.</exception>
    public JsonSchemaReward(JsonElement schema) =>
        _grammar = TokenGrammar.FromJsonSchema(schema, ByteLevelGrammar.Vocabulary);

    /// <inheritdoc />
    public override string Name => "schema";

    /// <inheritdoc />
    public override double Score(RewardText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ByteLevelGrammar.Score(_grammar, text);
    }
}
