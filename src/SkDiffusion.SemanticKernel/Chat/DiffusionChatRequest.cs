using System.Text.Json;
using Microsoft.Extensions.AI;
using SkDiffusion.Chat;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.SemanticKernel.Models;
using SkDiffusion.SemanticKernel.Settings;
using SkDiffusion.Templates;
using SkDiffusion.Templates.Json;

namespace SkDiffusion.SemanticKernel.Chat;

/// <summary>One prepared chat request: prompt ids, canvas, sampler options and (for JSON schema answers) the template.</summary>
internal sealed class DiffusionChatRequest
{
    private DiffusionChatRequest(IReadOnlyList<int> prompt, DiffusionCanvas canvas, SamplerOptions options, int answerLength, IReadOnlyList<string> stopSequences, JsonSchemaTemplate? schema, CompiledTemplate? compiled)
    {
        Prompt = prompt;
        Canvas = canvas;
        Options = options;
        AnswerLength = answerLength;
        StopSequences = stopSequences;
        Schema = schema;
        Compiled = compiled;
    }

    public IReadOnlyList<int> Prompt { get; }

    public DiffusionCanvas Canvas { get; }

    public SamplerOptions Options { get; }

    public int AnswerLength { get; }

    public IReadOnlyList<string> StopSequences { get; }

    public JsonSchemaTemplate? Schema { get; }

    public CompiledTemplate? Compiled { get; }

    /// <summary>With <c>json_mode: auto</c>: the unconstrained request tried first.</summary>
    public DiffusionChatRequest? FreeForm { get; private init; }

    public static DiffusionChatRequest Create(DiffusionModel model, IEnumerable<ChatMessage> messages, ChatOptions? chatOptions)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var settings = ToSettings(chatOptions);
        var schema = chatOptions?.ResponseFormat is ChatResponseFormatJson { Schema: JsonElement s } ? s : settings.JsonSchema;
        var turns = ToTurns(messages);
        if (chatOptions?.Instructions is { Length: > 0 } instructions)
        {
            // Per-request instructions join the system turn (or become one).
            if (turns[0].Role == DiffusionChatMessage.SystemRole)
            {
                turns[0] = turns[0] with { Content = turns[0].Content + "\n" + instructions };
            }
            else
            {
                turns.Insert(0, new DiffusionChatMessage(DiffusionChatMessage.SystemRole, instructions));
            }
        }

        return Create(model, turns, settings, schema);
    }

    public static DiffusionChatRequest Create(DiffusionModel model, IReadOnlyList<DiffusionChatMessage> turns, DiffusionPromptExecutionSettings settings, JsonElement? jsonSchema)
    {
        var prompt = model.RenderChat(turns);
        var stops = settings.StopSequences?.Where(s => !string.IsNullOrEmpty(s)).ToArray() ?? [];
        if (jsonSchema is JsonElement schema)
        {
            var sizes = settings.ToJsonSchemaTemplateOptions();
            var (template, compiled) = model.GetSchemaTemplate(schema, sizes);
            int masked = compiled.Elements.Sum(e => e.Length);
            model.EnsureFits(prompt.Count, compiled.Canvas.Length);
            var options = settings.ToSamplerOptions(masked, template: true);
            DiffusionChatRequest? free = null;
            if (settings.IsAutoJsonMode())
            {
                int length = settings.ResolveAnswerLength();
                model.EnsureFits(prompt.Count, length);
                free = new DiffusionChatRequest(prompt, DiffusionCanvas.FromPrompt(prompt, length), settings.ToSamplerOptions(length), length, [], null, null);
            }

            return new DiffusionChatRequest(prompt, DiffusionCanvas.FromTemplate(prompt, compiled.Canvas), options, compiled.Canvas.Length, [], template, compiled) { FreeForm = free };
        }

        int answerLength = settings.ResolveAnswerLength();
        model.EnsureFits(prompt.Count, answerLength);
        return new DiffusionChatRequest(prompt, DiffusionCanvas.FromPrompt(prompt, answerLength), settings.ToSamplerOptions(answerLength), answerLength, stops, null, null);
    }

    /// <summary>Converts chat options to diffusion settings: AdditionalProperties first (snake_case names), then the typed options.</summary>
    public static DiffusionPromptExecutionSettings ToSettings(ChatOptions? chatOptions)
    {
        var settings = chatOptions?.AdditionalProperties is { Count: > 0 } extra
            ? DiffusionPromptExecutionSettings.FromDictionary(extra)
            : new DiffusionPromptExecutionSettings();
        if (chatOptions is null)
        {
            return settings;
        }

        if (chatOptions.MaxOutputTokens is int max)
        {
            settings.AnswerLength = max;
        }

        if (chatOptions.Temperature is float temperature)
        {
            settings.Temperature = temperature;
        }

        if (chatOptions.TopP is float topP)
        {
            settings.TopP = topP;
        }

        if (chatOptions.TopK is int topK)
        {
            settings.TopK = topK;
        }

        if (chatOptions.Seed is long seed)
        {
            settings.Seed = seed;
        }

        if (chatOptions.StopSequences is { Count: > 0 } stops)
        {
            settings.StopSequences = [.. stops];
        }

        return settings;
    }

    public static List<DiffusionChatMessage> ToTurns(IEnumerable<ChatMessage> messages)
    {
        var turns = new List<DiffusionChatMessage>();
        foreach (var m in messages)
        {
            string role = m.Role == ChatRole.System ? DiffusionChatMessage.SystemRole
                : m.Role == ChatRole.Assistant ? DiffusionChatMessage.AssistantRole
                : DiffusionChatMessage.UserRole;
            string text = m.Text;
            if (m.Role == ChatRole.Tool)
            {
                var results = m.Contents.OfType<FunctionResultContent>().Select(r => $"Result of {r.CallId}: {r.Result}");
                text = string.Join("\n", results.Append(text).Where(t => t.Length > 0));
            }

            turns.Add(new DiffusionChatMessage(role, text));
        }

        if (turns.Count == 0)
        {
            throw new ArgumentException("The conversation is empty: add at least one user message.", nameof(messages));
        }

        return turns;
    }

    /// <summary>Cuts <paramref name="text"/> before the first stop sequence.</summary>
    public static (string Text, bool Stopped) ApplyStops(string text, IReadOnlyList<string> stops)
    {
        int cut = -1;
        foreach (string stop in stops)
        {
            int i = text.IndexOf(stop, StringComparison.Ordinal);
            if (i >= 0 && (cut < 0 || i < cut))
            {
                cut = i;
            }
        }

        return cut < 0 ? (text, false) : (text[..cut], true);
    }
}
