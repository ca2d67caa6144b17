using System.Text.Json;
using Microsoft.Extensions.AI;
using SkDiffusion.Chat;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;

namespace SkDiffusion.Extensions.AI;

/// <summary>
/// One prepared chat request: the turns in the package's chat format, the prompt ids, the settings and either a
/// text answer (canvas and sampler options) or a JSON answer (schema, or any JSON), which <see cref="JsonAnswerDecoder"/>
/// decodes.
/// </summary>
internal sealed class DiffusionChatRequest
{
    private DiffusionChatRequest(IReadOnlyList<DiffusionChatMessage> turns, IReadOnlyList<int> prompt, DiffusionSettings settings)
    {
        Turns = turns;
        Prompt = prompt;
        Settings = settings;
        StopSequences = settings.StopSequences?.Where(s => !string.IsNullOrEmpty(s)).ToArray() ?? [];
    }

    /// <summary>The conversation as the chat format sees it.</summary>
    public IReadOnlyList<DiffusionChatMessage> Turns { get; }

    public IReadOnlyList<int> Prompt { get; }

    public DiffusionSettings Settings { get; }

    public IReadOnlyList<string> StopSequences { get; }

    /// <summary>Whether the answer must be JSON (a schema, or schema-less <see cref="ChatResponseFormat.Json"/>).</summary>
    public bool IsJson { get; private init; }

    /// <summary>The schema of a JSON answer; null for any JSON.</summary>
    public JsonElement? JsonSchema { get; private init; }

    /// <summary>The canvas of a text answer (null for JSON).</summary>
    public DiffusionCanvas? Canvas { get; private init; }

    /// <summary>The sampler options of a text answer (null for JSON).</summary>
    public SamplerOptions? Options { get; private init; }

    public int AnswerLength { get; private init; }

    /// <summary>Prepares a request.</summary>
    /// <param name="model">The model.</param>
    /// <param name="messages">The conversation.</param>
    /// <param name="chatOptions">The options.</param>
    /// <param name="rewardResolver">Resolves reward names the library does not ship (e.g. kernel functions), or null.</param>
    public static DiffusionChatRequest Create(DiffusionModel model, IEnumerable<ChatMessage> messages, ChatOptions? chatOptions, Func<string, Sampling.Guidance.TextReward?>? rewardResolver = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var settings = ToSettings(chatOptions);
        var turns = ChatTurns.From(messages, chatOptions?.Instructions);
        var prompt = model.RenderChat(turns);
        bool json = chatOptions?.ResponseFormat is ChatResponseFormatJson || settings.JsonSchema is not null;
        JsonElement? schema = chatOptions?.ResponseFormat is ChatResponseFormatJson { Schema: JsonElement s } ? s : settings.JsonSchema;
        DiffusionRewardBinder.Bind(settings, model.Package.Tokenizer, schema, rewardResolver);
        if (json)
        {
            // Validated here so a bad setting fails before any decoding.
            settings.ToJsonSchemaTemplateOptions();
            settings.ResolveJsonMode();
            return new DiffusionChatRequest(turns, prompt, settings) { IsJson = true, JsonSchema = schema };
        }

        int answerLength = settings.ResolveAnswerLength();
        if (chatOptions?.Tools is not { Count: > 0 })
        {
            // With tools the text answer may not be needed; the client checks the fit before decoding one.
            model.EnsureFits(prompt.Count, answerLength);
        }

        return new DiffusionChatRequest(turns, prompt, settings)
        {
            Canvas = DiffusionCanvas.FromPrompt(prompt, answerLength),
            Options = settings.ToSamplerOptions(answerLength),
            AnswerLength = answerLength,
        };
    }

    /// <summary>Converts chat options to diffusion settings: AdditionalProperties first (snake_case names), then the typed options.</summary>
    public static DiffusionSettings ToSettings(ChatOptions? chatOptions)
    {
        // An object reward travels under the "reward" key beside the settings; a name is a setting like the others.
        object? rewardObject = null;
        var extra = chatOptions?.AdditionalProperties;
        IEnumerable<KeyValuePair<string, object?>> pairs = extra ?? [];
        if (extra is not null && extra.TryGetValue(DiffusionRewardBinder.Key, out object? reward) && reward is not (null or string or JsonElement))
        {
            rewardObject = reward;
            pairs = extra.Where(kv => kv.Key != DiffusionRewardBinder.Key);
        }

        var settings = extra is { Count: > 0 } ? DiffusionSettings.FromDictionary(pairs) : new DiffusionSettings();
        settings.RewardObject = rewardObject;
        if (chatOptions is null)
        {
            return settings;
        }

        settings.AnswerLength = chatOptions.MaxOutputTokens ?? settings.AnswerLength;
        settings.Temperature = chatOptions.Temperature ?? settings.Temperature;
        settings.TopP = chatOptions.TopP ?? settings.TopP;
        settings.TopK = chatOptions.TopK ?? settings.TopK;
        settings.Seed = chatOptions.Seed ?? settings.Seed;
        if (chatOptions.StopSequences is { Count: > 0 } stops)
        {
            settings.StopSequences = [.. stops];
        }

        return settings;
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

    /// <summary>
    /// How many of <paramref name="tokens"/> the kept text <paramref name="kept"/> (a prefix of their decoding, e.g.
    /// after a stop-sequence cut) spans: the output tokens that usage reports.
    /// </summary>
    public static int KeptTokenCount(DiffusionModel model, IReadOnlyList<int> tokens, string kept)
    {
        if (kept.Length == 0)
        {
            return 0;
        }

        var tokenizer = model.Package.Tokenizer;
        for (int n = 1; n <= tokens.Count; n++)
        {
            if (tokenizer.Decode(tokens.Take(n), skipSpecialTokens: true).TrimStart().Length >= kept.TrimStart().Length)
            {
                return n;
            }
        }

        return tokens.Count;
    }
}
