using System.Text.Json;
using System.Text.Json.Serialization;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Remasking;
using SkDiffusion.Sampling.Schedules;
using SkDiffusion.Sampling.Scoring;
using SkDiffusion.Sampling.Selection;

namespace SkDiffusion.Extensions.AI;

/// <summary>
/// The diffusion settings of one request, by snake_case name (<c>ChatOptions.AdditionalProperties</c> and the typed
/// <see cref="Microsoft.Extensions.AI.ChatOptions"/> fields), validated and mapped onto <see cref="SamplerOptions"/>.
/// </summary>
internal sealed class DiffusionSettings
{
    /// <summary>Answer positions to decode (the most tokens the answer may have). Default 64.</summary>
    [JsonPropertyName("answer_length")]
    public int? AnswerLength { get; set; }

    /// <summary>Sampling steps (denoiser passes with the schedule rule). Default: the answer length (one token per step).</summary>
    [JsonPropertyName("steps")]
    public int? Steps { get; set; }

    /// <summary>Semi-autoregressive block length; default 32 when the answer is longer, else one block. 0 means one block.</summary>
    [JsonPropertyName("block_length")]
    public int? BlockLength { get; set; }

    /// <summary>Sampling temperature (0 = greedy, the default).</summary>
    [JsonPropertyName("temperature")]
    public double? Temperature { get; set; }

    /// <summary>Nucleus filter in (0, 1].</summary>
    [JsonPropertyName("top_p")]
    public double? TopP { get; set; }

    /// <summary>Top-k filter (at least 1).</summary>
    [JsonPropertyName("top_k")]
    public int? TopK { get; set; }

    /// <summary>Random seed: any <see cref="long"/>; unset draws a fresh seed per request.</summary>
    [JsonPropertyName("seed")]
    public long? Seed { get; set; }

    /// <summary>Unmasking (selection) rule: <c>schedule</c> (default), <c>threshold</c>, <c>factor</c>, <c>confident</c> or <c>origin</c>.</summary>
    [JsonPropertyName("selection")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<SelectionRule>))]
    public SelectionRule? Selection { get; set; }

    /// <summary>Commit schedule: <c>linear</c> (default), <c>cosine</c>, <c>exponential</c> or <c>dream</c>.</summary>
    [JsonPropertyName("schedule")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<ScheduleKind>))]
    public ScheduleKind? Schedule { get; set; }

    /// <summary>Ranking score: <c>confidence</c> (default), <c>margin</c>, <c>negative_entropy</c> or <c>random</c>.</summary>
    [JsonPropertyName("score")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<ScoreKind>))]
    public ScoreKind? Score { get; set; }

    /// <summary>Threshold of the <c>threshold</c> and <c>confident</c> rules, in (0, 1]. Default 0.9.</summary>
    [JsonPropertyName("threshold")]
    public double? Threshold { get; set; }

    /// <summary>Factor of the <c>factor</c> rule, above 0. Default 1.</summary>
    [JsonPropertyName("factor")]
    public double? Factor { get; set; }

    /// <summary>ReMDM remasking: <c>none</c> (default), <c>cap</c>, <c>rescale</c>, <c>conf</c> or <c>loop</c>.</summary>
    [JsonPropertyName("remasking")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<RemaskingStrategy>))]
    public RemaskingStrategy? Remasking { get; set; }

    /// <summary>ReMDM η in [0, 1]. Default 0.02.</summary>
    [JsonPropertyName("remasking_eta")]
    public double? RemaskingEta { get; set; }

    /// <summary>Classifier-free guidance scale (0 = off).</summary>
    [JsonPropertyName("cfg_scale")]
    public double? CfgScale { get; set; }

    /// <summary>
    /// Reward guidance by name: <c>copy</c> (the answer's JSON string values must appear in the prompt), <c>schema</c>
    /// (the answer must be JSON of the request's schema), <c>regex</c> (the answer must match <see cref="RewardPattern"/>),
    /// or a name the host resolves (Semantic Kernel: <c>plugin.function</c>). An object reward (a
    /// <see cref="Sampling.Guidance.TextReward"/>, an <see cref="Sampling.Guidance.IRewardScorer"/> or a
    /// <c>Func&lt;RewardText, double&gt;</c>) goes under the same key in <c>ChatOptions.AdditionalProperties</c>.
    /// </summary>
    [JsonPropertyName("reward")]
    public string? Reward { get; set; }

    /// <summary>Reward candidates: rollouts per block (<c>block</c>) or commits per step (<c>step</c>), 1..64. Default 4.</summary>
    [JsonPropertyName("reward_candidates")]
    public int? RewardCandidates { get; set; }

    /// <summary>Reward guidance unit: <c>block</c> (default: N rollouts of each block, N times the passes) or <c>step</c> (N commits per step, no extra passes).</summary>
    [JsonPropertyName("reward_mode")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<Sampling.Guidance.RewardMode>))]
    public Sampling.Guidance.RewardMode? RewardMode { get; set; }

    /// <summary>Sampling temperature of the reward's exploring candidates (candidate 0 keeps <c>temperature</c>). Default 1 when <c>temperature</c> is 0.</summary>
    [JsonPropertyName("reward_temperature")]
    public double? RewardTemperature { get; set; }

    /// <summary>The pattern of the <c>regex</c> reward (the grammar's regex subset).</summary>
    [JsonPropertyName("reward_pattern")]
    public string? RewardPattern { get; set; }

    /// <summary>An object reward from <c>ChatOptions.AdditionalProperties["reward"]</c> (not a JSON setting).</summary>
    [JsonIgnore]
    internal object? RewardObject { get; set; }

    /// <summary>The scorer bound to the model by <see cref="DiffusionRewardBinder"/>; null without a reward.</summary>
    [JsonIgnore]
    internal Sampling.Guidance.IRewardScorer? RewardScorer { get; set; }

    /// <summary>Early stop once a block holds EOS (dInfer). Default true for chat.</summary>
    [JsonPropertyName("stop_at_eos")]
    public bool? StopAtEos { get; set; }

    /// <summary>EOS suppression: <c>none</c> (default), <c>logits</c> or <c>confidence</c>.</summary>
    [JsonPropertyName("eos_suppression")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<Sampling.EosSuppression>))]
    public Sampling.EosSuppression? EosSuppression { get; set; }

    /// <summary>Dream's <c>alg_temp</c> (0 = off).</summary>
    [JsonPropertyName("position_temperature")]
    public double? PositionTemperature { get; set; }

    /// <summary>Ranking scope: <c>canvas</c> or <c>slot</c> (default <c>slot</c> for templates, <c>canvas</c> otherwise).</summary>
    [JsonPropertyName("ranking_scope")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<RankingScope>))]
    public RankingScope? RankingScope { get; set; }

    /// <summary>
    /// Fast-dLLM key/value cache: <c>none</c> (default, exact), <c>prefix</c> or <c>dual</c>. Needs blocks
    /// (<see cref="BlockLength"/>) and a denoiser with cache support (packages built with a cache).
    /// </summary>
    [JsonPropertyName("cache")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<CacheMode>))]
    public CacheMode? Cache { get; set; }

    /// <summary>Texts that end the answer: it is cut before the first one.</summary>
    [JsonPropertyName("stop_sequences")]
    public IList<string>? StopSequences { get; set; }

    /// <summary>Threads that score a step's positions (default: the processor count).</summary>
    [JsonPropertyName("max_degree_of_parallelism")]
    public int? MaxDegreeOfParallelism { get; set; }

    /// <summary>
    /// A JSON Schema the answer must follow: the answer is decoded as a template of the schema (keys and punctuation
    /// fixed, typed value slots), so it always parses. See <c>docs/templates.md</c>.
    /// </summary>
    [JsonPropertyName("json_schema")]
    public JsonElement? JsonSchema { get; set; }

    /// <summary>Tokens of a JSON string value without <c>maxLength</c> in <see cref="JsonSchema"/> (default 16).</summary>
    [JsonPropertyName("json_string_tokens")]
    public int? JsonStringTokens { get; set; }

    /// <summary>Elements of a JSON array of scalars without <c>maxItems</c> (default 3).</summary>
    [JsonPropertyName("json_array_items")]
    public int? JsonArrayItems { get; set; }

    /// <summary>
    /// How a <see cref="JsonSchema"/> answer is produced: <c>grammar</c> (default: the answer is decoded under the
    /// schema's grammar on a free canvas, so the model chooses every value's length and the JSON is always valid),
    /// <c>template</c> (the schema as a template with fixed slot positions, for when every length really is fixed) or
    /// <c>auto</c> (an unconstrained answer first, kept when it is JSON of the schema; otherwise the grammar).
    /// </summary>
    [JsonPropertyName("json_mode")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<JsonDecodingMode>))]
    public JsonDecodingMode? JsonMode { get; set; }

    /// <summary>
    /// Extractive JSON (default false): every free-form string value of a schema answer (structured output and tool
    /// arguments, grammar mode) is copied verbatim from the user's messages as a run of whole words, so an extracted name
    /// or city cannot come back misspelt or invented. Turn it on for extraction; leave it off where values are composed
    /// (summaries, translations). See <see cref="Grammars.GrammarOptions.CopySource"/>.
    /// </summary>
    [JsonPropertyName("copy_strings")]
    public bool? CopyStrings { get; set; }

    /// <summary>The JSON decoding mode after the default.</summary>
    public JsonDecodingMode ResolveJsonMode() => JsonMode ?? JsonDecodingMode.Grammar;

    /// <summary>The template sizes for <see cref="JsonSchema"/> after defaults.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range; the parameter name is the setting.</exception>
    public Templates.Json.JsonSchemaTemplateOptions ToJsonSchemaTemplateOptions()
    {
        Check(JsonStringTokens is null or >= 1 and <= Templates.TemplateSlot.MaxAllowedLength, "json_string_tokens", JsonStringTokens, $"json_string_tokens must lie in 1..{Templates.TemplateSlot.MaxAllowedLength}.");
        Check(JsonArrayItems is null or >= 1 and <= Templates.TemplateSlot.MaxArrayCount, "json_array_items", JsonArrayItems, $"json_array_items must lie in 1..{Templates.TemplateSlot.MaxArrayCount}.");
        var options = new Templates.Json.JsonSchemaTemplateOptions();
        options.StringTokens = JsonStringTokens ?? options.StringTokens;
        options.ArrayItems = JsonArrayItems ?? options.ArrayItems;
        return options;
    }

    /// <summary>The answer length used when <see cref="AnswerLength"/> is unset.</summary>
    public const int DefaultAnswerLength = 64;

    /// <summary>A shallow copy (for per-call adjustments such as the JSON mode of tool arguments).</summary>
    public DiffusionSettings Clone() => (DiffusionSettings)MemberwiseClone();

    /// <summary>Reads settings from a JSON object of snake_case keys (see <see cref="DiffusionSettingsReader"/>).</summary>
    /// <exception cref="ArgumentException">
    /// The JSON is malformed, a key is unknown, or a value has the wrong type or is not finite; the parameter name is the key.
    /// </exception>
    public static DiffusionSettings FromJson(string json) => DiffusionSettingsReader.ReadJson(json);

    /// <summary>
    /// Reads settings from key/value pairs (e.g. <c>ChatOptions.AdditionalProperties</c>, see
    /// <see cref="DiffusionSettingsReader"/>): unknown keys are refused, keys of other layers passed over.
    /// </summary>
    /// <exception cref="ArgumentException">A key is unknown, or a value has the wrong type or is not finite; the parameter name is the key.</exception>
    public static DiffusionSettings FromDictionary(IEnumerable<KeyValuePair<string, object?>> values) => DiffusionSettingsReader.Read(values);

    /// <summary>The answer length after defaults.</summary>
    public int ResolveAnswerLength()
    {
        int length = AnswerLength ?? DefaultAnswerLength;
        if (length < 1)
        {
            throw new ArgumentOutOfRangeException("answer_length", length, "answer_length must be at least 1.");
        }

        return length;
    }

    /// <summary>Builds sampler options for an answer of <paramref name="maskedPositions"/> masked positions.</summary>
    /// <param name="maskedPositions">The masked positions to decode (the answer length, or a template's slot total).</param>
    /// <param name="template">Whether the canvas is a template (defaults: slot ranking, one block, no EOS early stop).</param>
    /// <exception cref="ArgumentException">A setting is out of range or unknown; the exception's parameter name is the snake_case setting.</exception>
    public SamplerOptions ToSamplerOptions(int maskedPositions, bool template = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maskedPositions, 1);
        var o = new SamplerOptions
        {
            Steps = Steps ?? maskedPositions,
            Temperature = Temperature ?? 0,
            TopK = TopK,
            TopP = TopP,
            Threshold = Threshold ?? 0.9,
            Factor = Factor ?? 1.0,
            CfgScale = CfgScale ?? 0,
            PositionTemperature = PositionTemperature ?? 0,
            StopAtEos = StopAtEos ?? !template,
        };

        foreach (var (name, value) in new[] { ("reward_temperature", RewardTemperature), ("temperature", Temperature), ("top_p", TopP), ("threshold", Threshold), ("factor", Factor), ("remasking_eta", RemaskingEta), ("cfg_scale", CfgScale), ("position_temperature", PositionTemperature) })
        {
            DiffusionSettingsReader.EnsureFinite(name, value);
        }

        Check(Steps is null or >= 1, "steps", Steps, "steps must be at least 1.");
        Check(BlockLength is null or >= 0, "block_length", BlockLength, "block_length must be 0 (one block) or positive.");
        Check(Temperature is not double t || (t >= 0 && !double.IsInfinity(t)), "temperature", Temperature, "temperature must be 0 (greedy) or a finite positive number.");
        Check(TopP is null or > 0 and <= 1, "top_p", TopP, "top_p must lie in (0, 1].");
        Check(TopK is null or >= 1, "top_k", TopK, "top_k must be at least 1.");
        Check(Threshold is null or > 0 and <= 1, "threshold", Threshold, "threshold must lie in (0, 1].");
        Check(Factor is null or (> 0 and < double.PositiveInfinity), "factor", Factor, "factor must be a finite number above 0.");
        Check(CfgScale is null or (>= 0 and < double.PositiveInfinity), "cfg_scale", CfgScale, "cfg_scale must be 0 (off) or a finite positive number.");
        Check(RemaskingEta is null or >= 0 and <= 1, "remasking_eta", RemaskingEta, "remasking_eta must lie in [0, 1].");
        Check(PositionTemperature is null or >= 0, "position_temperature", PositionTemperature, "position_temperature must be 0 (off) or positive.");
        Check(MaxDegreeOfParallelism is null or >= 1, "max_degree_of_parallelism", MaxDegreeOfParallelism, "max_degree_of_parallelism must be at least 1.");
        Check(AnswerLength is null or >= 1, "answer_length", AnswerLength, "answer_length must be at least 1.");

        // Any long is a seed (its bits); an unset seed draws a fresh one, so temperature > 0 varies between requests.
        o.Seed = Seed is long seed ? unchecked((ulong)seed) : unchecked((ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue));
        int? block = BlockLength is 0 ? null : BlockLength ?? (template || maskedPositions <= 32 ? null : 32);
        o.BlockLength = block;
        if (block is int b && o.Steps < (maskedPositions + b - 1) / b)
        {
            throw new ArgumentException($"steps ({o.Steps}) must be at least the number of blocks ({(maskedPositions + b - 1) / b}) of answer_length {maskedPositions} / block_length {b}: raise steps or block_length.", "steps");
        }

        if (MaxDegreeOfParallelism is int dop)
        {
            o.MaxDegreeOfParallelism = dop;
        }

        o.Selection = Defined(Selection, "selection") ?? SelectionRule.Schedule;
        o.Schedule = (Defined(Schedule, "schedule") ?? ScheduleKind.Linear) switch
        {
            ScheduleKind.Cosine => CosineSchedule.Instance,
            ScheduleKind.Exponential => new ExponentialSchedule(),
            ScheduleKind.Dream => DreamSchedule.Default,
            _ => LinearSchedule.Instance,
        };
        o.Score = Defined(Score, "score") ?? ScoreKind.Confidence;
        o.EosSuppression = Defined(EosSuppression, "eos_suppression") ?? Sampling.EosSuppression.None;
        o.RankingScope = Defined(RankingScope, "ranking_scope") ?? (template ? Sampling.Selection.RankingScope.Slot : Sampling.Selection.RankingScope.Canvas);
        o.CacheMode = Defined(Cache, "cache") ?? CacheMode.None;
        var strategy = Defined(Remasking, "remasking") ?? RemaskingStrategy.None;
        if (strategy != RemaskingStrategy.None)
        {
            o.Remasking = new RemaskingOptions { Strategy = strategy, Eta = RemaskingEta ?? 0.02 };
        }

        o.RewardGuidance = DiffusionRewardBinder.ToGuidance(this, o.Temperature);

        if (template && o.EosSuppression == Sampling.EosSuppression.Logits)
        {
            // Variable-length template slots end with EOS: suppressing its logit would force every slot to full length.
            o.EosSuppression = Sampling.EosSuppression.Confidence;
        }

        try
        {
            o.Validate();
        }
        catch (ArgumentException ex)
        {
            string name = SnakeCaseName(ex.ParamName);
            string message = ex.Message;
            int suffix = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
            message = suffix >= 0 ? message[..suffix] : message;
            string text = $"Diffusion setting '{name}' ({ex.ParamName}): {message}";
            throw ex is ArgumentOutOfRangeException ? new ArgumentOutOfRangeException(name, text) : new ArgumentException(text, name, ex);
        }

        return o;
    }

    /// <summary>The snake_case setting behind a <see cref="SamplerOptions"/> property name (e.g. <c>CfgScale</c> → <c>cfg_scale</c>).</summary>
    internal static string SnakeCaseName(string? property) => property switch
    {
        null or "" => "settings",
        nameof(SamplerOptions.CacheMode) => "cache",
        nameof(SamplerOptions.Remasking) => "remasking",
        nameof(SamplerOptions.RewardGuidance) => "reward_mode",
        _ => string.Concat(property.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString())),
    };

    private static void Check(bool ok, string name, object? value, string message)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, $"Diffusion setting '{name}': {message}");
        }
    }

    /// <summary>Refuses a value outside the enum's members (a cast integer), listing the snake_case names.</summary>
    private static T? Defined<T>(T? value, string name)
        where T : struct, Enum
    {
        if (value is T v && !Enum.IsDefined(v))
        {
            throw new ArgumentException($"Diffusion setting '{name}' is {v}, not one of {SnakeCaseEnumConverter<T>.Choices}.", name);
        }

        return value;
    }

}
