using System.Text.Json;
using Microsoft.Extensions.AI;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Templates;

namespace SkDiffusion.SemanticKernel.Chat;

/// <summary>
/// Answers a request whose tool mode is required with a function call: the function is the required one, the only
/// one, or picked by an enum template over the function names; its arguments are a JSON-schema template of its
/// parameters, so they always parse and have the declared types.
/// </summary>
internal static class DiffusionToolCaller
{
    public static async Task<ChatResponse> CallAsync(DiffusionChatClient client, List<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        var required = (RequiredChatToolMode)options.ToolMode!;
        var functions = options.Tools!.OfType<AIFunctionDeclaration>().ToList();
        if (functions.Count == 0)
        {
            throw new ArgumentException("ToolMode requires a tool call, but Tools holds no function declarations.", nameof(options));
        }

        int nfe = 0;
        AIFunctionDeclaration function;
        if (required.RequiredFunctionName is string name)
        {
            function = functions.FirstOrDefault(f => f.Name == name)
                ?? throw new ArgumentException($"ToolMode requires the function '{name}', which is not among Tools ({string.Join(", ", functions.Select(f => f.Name))}).", nameof(options));
        }
        else if (functions.Count == 1)
        {
            function = functions[0];
        }
        else
        {
            (function, nfe) = await PickAsync(client, messages, functions, options, cancellationToken).ConfigureAwait(false);
        }

        var arguments = new Dictionary<string, object?>();
        UsageDetails? usage = null;
        bool hasParameters = function.JsonSchema.ValueKind == JsonValueKind.Object
            && function.JsonSchema.TryGetProperty("properties", out var properties)
            && properties.ValueKind == JsonValueKind.Object
            && properties.EnumerateObject().Any();
        if (hasParameters)
        {
            var argumentOptions = options.Clone();
            argumentOptions.Tools = null;
            argumentOptions.ToolMode = null;
            argumentOptions.ResponseFormat = ChatResponseFormat.ForJsonSchema(function.JsonSchema, function.Name, function.Description);
            var response = await client.GetResponseAsync(messages, argumentOptions, cancellationToken).ConfigureAwait(false);
            usage = response.Usage;
            using var doc = JsonDocument.Parse(response.Text);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                arguments[property.Name] = ToValue(property.Value);
            }
        }

        usage ??= new UsageDetails { InputTokenCount = 0, OutputTokenCount = 0, TotalTokenCount = 0, AdditionalCounts = new() { ["nfe"] = 0 } };
        if (usage.AdditionalCounts is { } counts)
        {
            counts["nfe"] = counts.GetValueOrDefault("nfe") + nfe;
        }

        var call = new FunctionCallContent("call_" + Guid.NewGuid().ToString("N")[..12], function.Name, arguments);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, [call]))
        {
            ModelId = client.Model.ModelId,
            ResponseId = Guid.NewGuid().ToString("N"),
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = ChatFinishReason.ToolCalls,
            Usage = usage,
        };
    }

    private static async Task<(AIFunctionDeclaration Function, int Nfe)> PickAsync(DiffusionChatClient client, List<ChatMessage> messages, List<AIFunctionDeclaration> functions, ChatOptions options, CancellationToken cancellationToken)
    {
        var model = client.Model;
        var template = TextTemplate.Create([TemplateSegment.FromSlot(new TemplateSlot { Name = "tool", Kind = TemplateSlotKind.Enum, Choices = [.. functions.Select(f => f.Name).Distinct()] })]);
        var compiled = model.TemplateCompiler.Compile(template);
        var prompt = model.RenderChat(DiffusionChatRequest.ToTurns(messages));
        model.EnsureFits(prompt.Count, compiled.Canvas.Length);
        var sampler = DiffusionChatRequest.ToSettings(options).ToSamplerOptions(compiled.Elements.Sum(e => e.Length), template: true);
        Sampling.SamplingResult result;
        using (await model.AcquireAsync(cancellationToken).ConfigureAwait(false))
        {
            result = await model.Sampler.SampleAsync(DiffusionCanvas.FromTemplate(prompt, compiled.Canvas), sampler, cancellationToken).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        string picked = (string)compiled.Read(result.Sequences[0])["tool"].Value!;
        return (functions.First(f => f.Name == picked), result.Nfe);
    }

    private static object? ToValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number when value.TryGetInt64(out long l) => l,
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        _ => value.Clone(),
    };
}
