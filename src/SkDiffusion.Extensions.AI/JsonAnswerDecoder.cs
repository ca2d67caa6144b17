using System.Text.Json;
using SkDiffusion.Sampling.Canvas;

namespace SkDiffusion.Extensions.AI;

/// <summary>
/// The one place where a JSON answer is decoded under a constraint: structured output (a JSON-schema response format),
/// schema-less JSON mode and tool-call arguments (the function's parameter schema) all come here. Today the schema
/// becomes a template (keys and punctuation fixed, typed value slots), and schema-less JSON is a free answer kept when
/// it parses, else a one-field object template; a grammar-constrained decoder can replace this method alone.
/// </summary>
internal static class JsonAnswerDecoder
{
    /// <summary>The object a schema-less JSON answer falls back to when the free answer is not JSON.</summary>
    private static readonly JsonElement AnyJsonFallback = JsonDocument.Parse("""{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"]}""").RootElement.Clone();

    /// <summary>Decodes a JSON answer after <paramref name="prompt"/> that follows <paramref name="schema"/> (null: any JSON).</summary>
    /// <param name="model">The model.</param>
    /// <param name="prompt">The prompt ids.</param>
    /// <param name="schema">The JSON schema, or null for any JSON object or array.</param>
    /// <param name="settings">The request's settings (template sizes, <c>json_mode</c>, sampling).</param>
    /// <param name="cancellationToken">Cancels the run between steps.</param>
    public static async Task<JsonAnswer> DecodeAsync(DiffusionModel model, IReadOnlyList<int> prompt, JsonElement? schema, DiffusionSettings settings, CancellationToken cancellationToken)
    {
        var sizes = settings.ToJsonSchemaTemplateOptions();
        var (template, compiled) = model.GetSchemaTemplate(FixedObjectArrays.Apply(schema ?? AnyJsonFallback, sizes.ArrayItems), sizes);
        int extraNfe = 0;
        // The free attempt is best effort: within what the context leaves after the prompt, else skipped.
        int length = Math.Min(settings.ResolveAnswerLength(), model.ContextLength - prompt.Count);
        if ((schema is null || settings.IsAutoJsonMode()) && length >= 1)
        {
            var free = await model.SampleAsync(DiffusionCanvas.FromPrompt(prompt, length), settings.ToSamplerOptions(length), cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            string candidate = model.Package.Tokenizer.Decode(free.AnswerTokens, skipSpecialTokens: true).Trim();
            if (schema is null ? IsJsonObjectOrArray(candidate) : template.TryValidate(candidate, out _))
            {
                return new JsonAnswer(candidate, free, free.Nfe, free.AnswerTokens.Count);
            }

            extraNfe = free.Nfe;
        }

        int masked = compiled.Elements.Sum(e => e.Length);
        model.EnsureFits(prompt.Count, compiled.Canvas.Length);
        var result = await model.SampleAsync(DiffusionCanvas.FromTemplate(prompt, compiled.Canvas), settings.ToSamplerOptions(masked, template: true), cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var sequence = result.Sequences[0];
        return new JsonAnswer(template.ToJsonString(compiled.Read(sequence)), result, result.Nfe + extraNfe, sequence.AnswerTokens.Count);
    }

    private static bool IsJsonObjectOrArray(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind is JsonValueKind.Object or JsonValueKind.Array;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
