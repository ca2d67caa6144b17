using System.Text.Json;
using Microsoft.Extensions.AI;
using SkDiffusion.Chat;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Templates;

namespace SkDiffusion.Extensions.AI;

/// <summary>
/// Function calling for a request with <see cref="ChatOptions.Tools"/>. The model decides under a constraint: the
/// decision is an enum slot over the allowed choices (with <see cref="ChatToolMode.Auto"/>, <c>answer</c> and each
/// function name; with <see cref="ChatToolMode.RequireAny"/>, the function names; a named required function needs no
/// decision), and the arguments are decoded by <see cref="JsonAnswerDecoder"/> from the function's parameter schema
/// (<c>json_mode</c> defaults to <c>auto</c> here: the model's own JSON when it validates, else the constrained decoding).
/// With <see cref="ChatToolMode.None"/>, or in auto mode right after tool results, the model answers in text.
/// </summary>
internal static class ToolCallDecoder
{
    /// <summary>The choice that means "answer in text" in auto mode.</summary>
    public const string AnswerChoice = "answer";

    /// <summary>Decides between a text answer and a function call, and decodes the call's arguments.</summary>
    public static async Task<ToolDecision> DecideAsync(DiffusionModel model, DiffusionChatRequest request, IReadOnlyList<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        var functions = options.Tools?.OfType<AIFunctionDeclaration>().ToList() ?? [];
        var mode = options.ToolMode ?? ChatToolMode.Auto;
        if (functions.Count == 0 || mode is NoneChatToolMode)
        {
            if (mode is RequiredChatToolMode && functions.Count == 0)
            {
                throw new ArgumentException("ToolMode requires a tool call, but Tools holds no function declarations: add an AIFunction to ChatOptions.Tools or set ToolMode to Auto.", nameof(options));
            }

            return ToolDecision.Answer;
        }

        AIFunctionDeclaration? function;
        int nfe = 0, steps = 0;
        if (mode is RequiredChatToolMode { RequiredFunctionName: string name })
        {
            function = functions.FirstOrDefault(f => f.Name == name)
                ?? throw new ArgumentException($"ToolMode requires the function '{name}', which is not among Tools ({string.Join(", ", functions.Select(f => f.Name))}): add it to ChatOptions.Tools or name one of those.", nameof(options));
        }
        else if (mode is RequiredChatToolMode && functions.Count == 1)
        {
            function = functions[0];
        }
        else if (mode is not RequiredChatToolMode && ChatTurns.EndsWithToolResult(messages))
        {
            // The tool results are in: answer from them rather than call again.
            return ToolDecision.Answer;
        }
        else
        {
            bool auto = mode is not RequiredChatToolMode;
            var choices = functions.Select(f => f.Name).Distinct().ToList();
            if (auto)
            {
                choices.Insert(0, AnswerChoice);
            }

            var (picked, result) = await PickAsync(model, request, functions, choices, request.Settings, cancellationToken).ConfigureAwait(false);
            nfe = result.Nfe;
            steps = result.Steps;
            function = picked == AnswerChoice ? null : functions.First(f => f.Name == picked);
            if (function is null)
            {
                return new ToolDecision(null, nfe, steps, 0, result);
            }
        }

        var arguments = new Dictionary<string, object?>();
        SamplingResult? raw = null;
        int outputTokens = 0;
        if (HasParameters(function.JsonSchema))
        {
            // Arguments default to json_mode auto: the model's own JSON when it follows the schema, else the constrained decoding.
            var settings = request.Settings.JsonMode is null ? request.Settings.Clone() : request.Settings;
            settings.JsonMode ??= JsonDecodingMode.Auto;
            var answer = await JsonAnswerDecoder.DecodeAsync(model, request.Prompt, function.JsonSchema, settings, request.Turns, cancellationToken, toolArguments: true).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(answer.Json);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                arguments[property.Name] = property.Value.Clone();
            }

            nfe += answer.Nfe;
            steps += answer.Result.Steps;
            outputTokens = answer.OutputTokens;
            raw = answer.Result;
        }

        var call = new FunctionCallContent("call_" + Guid.NewGuid().ToString("N")[..12], function.Name, arguments);
        return new ToolDecision(call, nfe, steps, outputTokens, raw);
    }

    private static bool HasParameters(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object
        && schema.TryGetProperty("properties", out var properties)
        && properties.ValueKind == JsonValueKind.Object
        && properties.EnumerateObject().Any();

    private static async Task<(string Choice, SamplingResult Result)> PickAsync(DiffusionModel model, DiffusionChatRequest request, List<AIFunctionDeclaration> functions, List<string> choices, DiffusionSettings settings, CancellationToken cancellationToken)
    {
        // The choice sees the conversation plus a system line that names the tools (when it fits the context).
        var listing = string.Join("; ", functions.Select(f => string.IsNullOrWhiteSpace(f.Description) ? f.Name : $"{f.Name}: {f.Description}"));
        var turns = request.Turns.ToList();
        string line = choices[0] == AnswerChoice ? $"Tools: {listing}. Reply {AnswerChoice} to answer directly." : $"Tools: {listing}.";
        turns.Insert(0, new DiffusionChatMessage(DiffusionChatMessage.SystemRole, line));
        var template = TextTemplate.Create([TemplateSegment.FromSlot(new TemplateSlot { Name = "tool", Kind = TemplateSlotKind.Enum, Choices = choices })]);
        var compiled = model.TemplateCompiler.Compile(template);
        var prompt = model.RenderChat(turns);
        if (prompt.Count + compiled.Canvas.Length > model.ContextLength)
        {
            // A small context: decide from the conversation alone.
            prompt = request.Prompt;
        }

        model.EnsureFits(prompt.Count, compiled.Canvas.Length);
        var options = settings.ToSamplerOptions(compiled.Elements.Sum(e => e.Length), template: true);
        var result = await model.SampleAsync(DiffusionCanvas.FromTemplate(prompt, compiled.Canvas), options, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return ((string)compiled.Read(result.Sequences[0])["tool"].Value!, result);
    }
}
