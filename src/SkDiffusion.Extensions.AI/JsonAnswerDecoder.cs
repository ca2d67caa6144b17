using System.Text.Json;
using SkDiffusion.Chat;
using SkDiffusion.Grammars;
using SkDiffusion.Sampling.Canvas;

namespace SkDiffusion.Extensions.AI;

/// <summary>
/// The one place where a JSON answer is decoded under a constraint: structured output (a JSON-schema response format),
/// schema-less JSON mode and tool-call arguments (the function's parameter schema) all come here. By default the
/// answer is decoded on a free canvas under the schema's grammar (<see cref="TokenGrammar"/>): the model chooses each
/// value's length, and every answer is a canonical JSON document of the schema followed by end padding. Schema-less
/// JSON uses the grammar of any JSON object or array of bounded depth. <c>json_mode: template</c> keeps the fixed-position
/// template; <c>auto</c> tries an unconstrained answer first.
/// </summary>
internal static class JsonAnswerDecoder
{
    /// <summary>Schema-less JSON: any object or array nested at most three deep (deeper nesting multiplies the automaton's states).</summary>
    private static readonly GrammarOptions AnyJsonOptions = new() { MaxJsonDepth = 3 };

    /// <summary>The object a schema-less JSON answer falls back to in template mode.</summary>
    private static readonly JsonElement AnyJsonFallback = JsonDocument.Parse("""{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"]}""").RootElement.Clone();

    /// <summary>Decodes a JSON answer after <paramref name="prompt"/> that follows <paramref name="schema"/> (null: any JSON).</summary>
    /// <param name="model">The model.</param>
    /// <param name="prompt">The prompt ids.</param>
    /// <param name="schema">The JSON schema, or null for any JSON object or array.</param>
    /// <param name="settings">The request's settings (answer length, <c>json_mode</c>, sampling).</param>
    /// <param name="cancellationToken">Cancels the run between steps.</param>
    /// <param name="turns">The conversation: with <c>copy_strings</c> the user's messages are the text string values are copied from.</param>
    /// <param name="toolArguments">Tool-call arguments: the region is sized from the schema alone (the request's answer
    /// length caps the text answer that follows the call, not the arguments).</param>
    /// <exception cref="Grammars.GrammarException">The schema uses a keyword the grammar cannot express (the message names its JSON pointer).</exception>
    public static async Task<JsonAnswer> DecodeAsync(DiffusionModel model, IReadOnlyList<int> prompt, JsonElement? schema, DiffusionSettings settings, IReadOnlyList<DiffusionChatMessage> turns, CancellationToken cancellationToken, bool toolArguments = false)
    {
        var mode = settings.ResolveJsonMode();
        if (mode == JsonDecodingMode.Template)
        {
            return await DecodeTemplateAsync(model, prompt, schema, settings, cancellationToken).ConfigureAwait(false);
        }

        var grammar = schema is JsonElement s
            ? TokenGrammar.FromJsonSchema(s, model.Package, settings.CopyStrings == true ? new GrammarOptions { CopySource = CopySource(turns) } : null)
            : TokenGrammar.AnyJsonDocument(ByteVocabulary.FromPackage(model.Package), AnyJsonOptions);
        int extraNfe = 0;
        // The free attempt is best effort: within what the context leaves after the prompt, else skipped.
        int freeLength = Math.Min(settings.ResolveAnswerLength(), model.ContextLength - prompt.Count);
        if (mode == JsonDecodingMode.Auto && freeLength >= 1)
        {
            var free = await model.SampleAsync(DiffusionCanvas.FromPrompt(prompt, freeLength), settings.ToSamplerOptions(freeLength), cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            string candidate = model.Package.Tokenizer.Decode(free.AnswerTokens, skipSpecialTokens: true).Trim();
            if (grammar.Matches(candidate))
            {
                return new JsonAnswer(candidate, free, free.Nfe, free.AnswerTokens.Count);
            }

            extraNfe = free.Nfe;
        }

        // The region is sized from the schema unless the request caps it; it must hold the shortest document.
        int length = (toolArguments ? null : settings.AnswerLength) ?? Math.Min(Math.Max(grammar.SuggestAnswerLength(), DiffusionSettings.DefaultAnswerLength), Math.Max(grammar.MinimumTokens, model.ContextLength - prompt.Count));
        if (length < grammar.MinimumTokens)
        {
            throw new ArgumentOutOfRangeException("answer_length", length, $"The answer length (answer_length or ChatOptions.MaxOutputTokens) is {length} tokens, but the shortest JSON document of the schema takes {grammar.MinimumTokens}: raise it to at least {grammar.MinimumTokens} ({grammar.SuggestAnswerLength()} leaves room for values), or leave it unset to size the answer from the schema.");
        }

        model.EnsureFits(prompt.Count, length);
        var result = await model.SampleAsync(DiffusionCanvas.FromPrompt(prompt, length, grammar), settings.ToSamplerOptions(length), cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        string json = model.Package.Tokenizer.Decode(result.AnswerTokens, skipSpecialTokens: true);
        return new JsonAnswer(json, result, result.Nfe + extraNfe, result.AnswerTokens.Count);
    }

    /// <summary>The text copied values come from: the user's messages, one per line.</summary>
    private static string CopySource(IReadOnlyList<DiffusionChatMessage> turns) =>
        string.Join("\n", turns.Where(t => t.Role == DiffusionChatMessage.UserRole).Select(t => t.Content));

    private static async Task<JsonAnswer> DecodeTemplateAsync(DiffusionModel model, IReadOnlyList<int> prompt, JsonElement? schema, DiffusionSettings settings, CancellationToken cancellationToken)
    {
        var sizes = settings.ToJsonSchemaTemplateOptions();
        var (template, compiled) = model.GetSchemaTemplate(FixedObjectArrays.Apply(schema ?? AnyJsonFallback, sizes.ArrayItems), sizes);
        int masked = compiled.Elements.Sum(e => e.Length);
        model.EnsureFits(prompt.Count, compiled.Canvas.Length);
        var result = await model.SampleAsync(DiffusionCanvas.FromTemplate(prompt, compiled.Canvas), settings.ToSamplerOptions(masked, template: true), cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var sequence = result.Sequences[0];
        return new JsonAnswer(template.ToJsonString(compiled.Read(sequence)), result, result.Nfe, sequence.AnswerTokens.Count);
    }
}
