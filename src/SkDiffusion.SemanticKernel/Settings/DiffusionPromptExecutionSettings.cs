using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using SkDiffusion.Extensions.AI;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Remasking;
using SkDiffusion.Sampling.Schedules;
using SkDiffusion.Sampling.Scoring;
using SkDiffusion.Sampling.Selection;

namespace SkDiffusion.SemanticKernel.Settings;

/// <summary>
/// Execution settings of the diffusion services, with snake_case JSON names (usable in prompt templates' execution
/// settings and in <c>ChatOptions.AdditionalProperties</c>); enum settings are typed and written and read by their
/// snake_case names (<c>"selection": "threshold"</c>, <c>"score": "negative_entropy"</c>). Unset values take the model's defaults. Mapped onto
/// the diffusion sampler's options by <c>DiffusionChatClient</c> (through <see cref="ToChatOptions"/>).
/// </summary>
public sealed partial class DiffusionPromptExecutionSettings : PromptExecutionSettings
{
    private static readonly HashSet<string> TypedOrKernel = ["service_id", "model_id", "function_choice_behavior", "temperature", "top_p", "top_k", "seed", "answer_length", "stop_sequences", "json_schema"];

    // Enum values in ExtensionData or a settings dictionary (SelectionRule.Threshold) travel as their snake_case names.
    private static readonly JsonSerializerOptions RoundTrip = new()
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    private int? _answerLength;
    private int? _steps;
    private int? _blockLength;
    private double? _temperature;
    private double? _topP;
    private int? _topK;
    private long? _seed;
    private SelectionRule? _selection;
    private ScheduleKind? _schedule;
    private ScoreKind? _score;
    private double? _threshold;
    private double? _factor;
    private double? _entropyBound;
    private RemaskingStrategy? _remasking;
    private double? _remaskingEta;
    private double? _cfgScale;
    private bool? _stopAtEos;
    private double? _trailingEosThreshold;
    private Sampling.EosSuppression? _eosSuppression;
    private Sampling.GrammarSearch? _grammarSearch;
    private double? _positionTemperature;
    private Sampling.Selection.RankingScope? _rankingScope;
    private IList<string>? _stopSequences;
    private int? _maxDegreeOfParallelism;
    private JsonElement? _jsonSchema;
    private int? _jsonStringTokens;
    private int? _jsonArrayItems;
    private JsonDecodingMode? _jsonMode;
    private CacheMode? _cache;
    private int? _cacheRefreshInterval;
    private int? _cachePromptInterval;
    private double? _cacheResponseFraction;
    private string? _reward;
    private int? _rewardCandidates;
    private Sampling.Guidance.RewardMode? _rewardMode;
    private double? _rewardTemperature;
    private string? _rewardPattern;

    /// <summary>Answer positions to decode (the most tokens the answer may have). Default 64.</summary>
    [JsonPropertyName("answer_length")]
    public int? AnswerLength { get => _answerLength; set => Set(ref _answerLength, value); }

    /// <summary>Sampling steps (denoiser passes with the schedule rule). Default: the answer length (one token per step).</summary>
    [JsonPropertyName("steps")]
    public int? Steps { get => _steps; set => Set(ref _steps, value); }

    /// <summary>Semi-autoregressive block length; default 32 when the answer is longer, else one block. 0 means one block.</summary>
    [JsonPropertyName("block_length")]
    public int? BlockLength { get => _blockLength; set => Set(ref _blockLength, value); }

    /// <summary>Sampling temperature (0 = greedy, the default).</summary>
    [JsonPropertyName("temperature")]
    public double? Temperature { get => _temperature; set => SetFinite(ref _temperature, value, "temperature"); }

    /// <summary>Nucleus filter in (0, 1].</summary>
    [JsonPropertyName("top_p")]
    public double? TopP { get => _topP; set => SetFinite(ref _topP, value, "top_p"); }

    /// <summary>Top-k filter (at least 1).</summary>
    [JsonPropertyName("top_k")]
    public int? TopK { get => _topK; set => Set(ref _topK, value); }

    /// <summary>Random seed: any <see cref="long"/>; unset draws a fresh seed per request.</summary>
    [JsonPropertyName("seed")]
    public long? Seed { get => _seed; set => Set(ref _seed, value); }

    /// <summary>
    /// Unmasking (selection) rule: <c>schedule</c> (default), <c>threshold</c>, <c>factor</c>, <c>confident</c>,
    /// <c>origin</c> or <c>entropy_bounded</c> (EB-Sampler, with <see cref="EntropyBound"/>).
    /// </summary>
    [JsonPropertyName("selection")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<SelectionRule>))]
    public SelectionRule? Selection { get => _selection; set => Set(ref _selection, value); }

    /// <summary>Commit schedule: <c>linear</c> (default), <c>cosine</c>, <c>exponential</c> or <c>dream</c>.</summary>
    [JsonPropertyName("schedule")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<ScheduleKind>))]
    public ScheduleKind? Schedule { get => _schedule; set => Set(ref _schedule, value); }

    /// <summary>Ranking score: <c>confidence</c> (default), <c>margin</c>, <c>negative_entropy</c> or <c>random</c>.</summary>
    [JsonPropertyName("score")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<ScoreKind>))]
    public ScoreKind? Score { get => _score; set => Set(ref _score, value); }

    /// <summary>Threshold of the <c>threshold</c> and <c>confident</c> rules, in (0, 1]. Default 0.9.</summary>
    [JsonPropertyName("threshold")]
    public double? Threshold { get => _threshold; set => SetFinite(ref _threshold, value, "threshold"); }

    /// <summary>Factor of the <c>factor</c> rule, above 0. Default 1.</summary>
    [JsonPropertyName("factor")]
    public double? Factor { get => _factor; set => SetFinite(ref _factor, value, "factor"); }

    /// <summary>
    /// The bound γ of <c>entropy_bounded</c> selection, in nats, at least 0: a step commits the longest prefix of the
    /// ranking whose entropies sum, less the largest, to at most γ. Default 0.1. Only with that selection.
    /// </summary>
    [JsonPropertyName("entropy_bound")]
    public double? EntropyBound { get => _entropyBound; set => SetFinite(ref _entropyBound, value, "entropy_bound"); }

    /// <summary>ReMDM remasking: <c>none</c> (default), <c>cap</c>, <c>rescale</c>, <c>conf</c> or <c>loop</c>.</summary>
    [JsonPropertyName("remasking")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<RemaskingStrategy>))]
    public RemaskingStrategy? Remasking { get => _remasking; set => Set(ref _remasking, value); }

    /// <summary>ReMDM η in [0, 1]. Default 0.02.</summary>
    [JsonPropertyName("remasking_eta")]
    public double? RemaskingEta { get => _remaskingEta; set => SetFinite(ref _remaskingEta, value, "remasking_eta"); }

    /// <summary>Classifier-free guidance scale (0 = off).</summary>
    [JsonPropertyName("cfg_scale")]
    public double? CfgScale { get => _cfgScale; set => SetFinite(ref _cfgScale, value, "cfg_scale"); }

    /// <summary>Early stop once a block holds EOS (dInfer). Default true for chat.</summary>
    [JsonPropertyName("stop_at_eos")]
    public bool? StopAtEos { get => _stopAtEos; set => Set(ref _stopAtEos, value); }

    /// <summary>
    /// Commits the EOS padding at the end of the answer in the same step once the model gives each of its positions at
    /// least this probability, in [0, 1]; fewer forward passes for short answers. Default 0.99; 0 turns it off (one
    /// padding position per step, as LLaDA's reference decoding).
    /// </summary>
    [JsonPropertyName("trailing_eos_threshold")]
    public double? TrailingEosThreshold { get => _trailingEosThreshold; set => SetFinite(ref _trailingEosThreshold, value, "trailing_eos_threshold"); }

    /// <summary>EOS suppression: <c>none</c> (default), <c>logits</c> or <c>confidence</c>.</summary>
    [JsonPropertyName("eos_suppression")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<Sampling.EosSuppression>))]
    public Sampling.EosSuppression? EosSuppression { get => _eosSuppression; set => Set(ref _eosSuppression, value); }

    /// <summary>Grammar answers: <c>path</c> (default, the most probable completion) or <c>local</c> (each position on its own).</summary>
    [JsonPropertyName("grammar_search")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<Sampling.GrammarSearch>))]
    public Sampling.GrammarSearch? GrammarSearch { get => _grammarSearch; set => Set(ref _grammarSearch, value); }

    /// <summary>Dream's <c>alg_temp</c> (0 = off).</summary>
    [JsonPropertyName("position_temperature")]
    public double? PositionTemperature { get => _positionTemperature; set => SetFinite(ref _positionTemperature, value, "position_temperature"); }

    /// <summary>Ranking scope: <c>canvas</c> or <c>slot</c> (default <c>slot</c> for templates, <c>canvas</c> otherwise).</summary>
    [JsonPropertyName("ranking_scope")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<Sampling.Selection.RankingScope>))]
    public Sampling.Selection.RankingScope? RankingScope { get => _rankingScope; set => Set(ref _rankingScope, value); }

    /// <summary>
    /// Key/value cache: <c>none</c> (default, exact), Fast-dLLM's <c>prefix</c> or <c>dual</c> (both need blocks,
    /// <see cref="BlockLength"/>), <c>delayed</c> (dKV-Cache: a token's keys and values are cached one step after it
    /// is decoded) or <c>adaptive</c> (dLLM-Cache: long-interval prompt refresh, partial answer refresh by value
    /// similarity). Every mode needs a package built with a cache; <c>delayed</c> and <c>adaptive</c> also need
    /// unshifted logits (LLaDA-style, not Dream).
    /// </summary>
    [JsonPropertyName("cache")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<CacheMode>))]
    public CacheMode? Cache { get => _cache; set => Set(ref _cache, value); }

    /// <summary>
    /// <c>delayed</c> cache: a full pass every this many denoiser calls; <c>adaptive</c>: the whole answer runs every
    /// this many calls. At least 1. Default 8. Only with those caches.
    /// </summary>
    [JsonPropertyName("cache_refresh_interval")]
    public int? CacheRefreshInterval { get => _cacheRefreshInterval; set => Set(ref _cacheRefreshInterval, value); }

    /// <summary><c>adaptive</c> cache: a full pass, prompt included, every this many denoiser calls. At least 1. Default 32.</summary>
    [JsonPropertyName("cache_prompt_interval")]
    public int? CachePromptInterval { get => _cachePromptInterval; set => Set(ref _cachePromptInterval, value); }

    /// <summary>
    /// <c>adaptive</c> cache: the share of the answer a step recomputes besides the current blocks' masks (the
    /// positions least similar to the cache), in [0, 1]. Default 0.25.
    /// </summary>
    [JsonPropertyName("cache_response_fraction")]
    public double? CacheResponseFraction { get => _cacheResponseFraction; set => SetFinite(ref _cacheResponseFraction, value, "cache_response_fraction"); }

    /// <summary>Texts that end the answer: it is cut before the first one.</summary>
    [JsonPropertyName("stop_sequences")]
    public IList<string>? StopSequences { get => _stopSequences; set => Set(ref _stopSequences, value); }

    /// <summary>Threads that score a step's positions (default: the processor count).</summary>
    [JsonPropertyName("max_degree_of_parallelism")]
    public int? MaxDegreeOfParallelism { get => _maxDegreeOfParallelism; set => Set(ref _maxDegreeOfParallelism, value); }

    /// <summary>
    /// A JSON Schema the answer must follow: the answer is decoded as a template of the schema (keys and punctuation
    /// fixed, typed value slots), so it always parses. See <c>docs/templates.md</c>.
    /// </summary>
    [JsonPropertyName("json_schema")]
    public JsonElement? JsonSchema { get => _jsonSchema; set => Set(ref _jsonSchema, value); }

    /// <summary>Tokens of a JSON string value without <c>maxLength</c> in <see cref="JsonSchema"/> (default 16).</summary>
    [JsonPropertyName("json_string_tokens")]
    public int? JsonStringTokens { get => _jsonStringTokens; set => Set(ref _jsonStringTokens, value); }

    /// <summary>Elements of a JSON array of scalars without <c>maxItems</c> (default 3).</summary>
    [JsonPropertyName("json_array_items")]
    public int? JsonArrayItems { get => _jsonArrayItems; set => Set(ref _jsonArrayItems, value); }

    /// <summary>
    /// How a <see cref="JsonSchema"/> answer is produced: <c>grammar</c> (default: decoded under the schema's grammar on a
    /// free canvas, always valid JSON with lengths the model chooses), <c>template</c> (fixed slot positions) or
    /// <c>auto</c> (an unconstrained answer first, kept when it is a word of the schema's grammar; otherwise the grammar).
    /// </summary>
    [JsonPropertyName("json_mode")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<JsonDecodingMode>))]
    public JsonDecodingMode? JsonMode { get => _jsonMode; set => Set(ref _jsonMode, value); }

    /// <summary>
    /// Reward guidance by name: <c>copy</c>, <c>schema</c>, <c>regex</c> (with <see cref="RewardPattern"/>), or a kernel
    /// function that returns a number, as <c>plugin.function</c> (resolved among the kernel's plugins by the chat
    /// service that <c>AddDiffusionChatCompletion</c> registers, and by <c>DiffusionPlugin</c>). See docs/guidance.md.
    /// </summary>
    [JsonPropertyName("reward")]
    public string? Reward { get => _reward; set => Set(ref _reward, value); }

    /// <summary>Reward candidates: rollouts per block (<c>block</c>) or commits per step (<c>step</c>), 1..64. Default 4.</summary>
    [JsonPropertyName("reward_candidates")]
    public int? RewardCandidates { get => _rewardCandidates; set => Set(ref _rewardCandidates, value); }

    /// <summary>Reward guidance unit: <c>block</c> (default) or <c>step</c>.</summary>
    [JsonPropertyName("reward_mode")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<Sampling.Guidance.RewardMode>))]
    public Sampling.Guidance.RewardMode? RewardMode { get => _rewardMode; set => Set(ref _rewardMode, value); }

    /// <summary>Sampling temperature of the reward's exploring candidates. Default 1 when <see cref="Temperature"/> is 0.</summary>
    [JsonPropertyName("reward_temperature")]
    public double? RewardTemperature { get => _rewardTemperature; set => SetFinite(ref _rewardTemperature, value, "reward_temperature"); }

    /// <summary>The pattern of the <c>regex</c> reward.</summary>
    [JsonPropertyName("reward_pattern")]
    public string? RewardPattern { get => _rewardPattern; set => Set(ref _rewardPattern, value); }

    /// <summary>An object reward for the services that take these settings directly (infilling, the plugin); not serialized.</summary>
    [JsonIgnore]
    internal Sampling.Guidance.TextReward? RewardObject { get; set; }

    /// <inheritdoc />
    public override PromptExecutionSettings Clone()
    {
        var clone = new DiffusionPromptExecutionSettings
        {
            ModelId = ModelId,
            ServiceId = ServiceId,
            FunctionChoiceBehavior = FunctionChoiceBehavior,
            ExtensionData = ExtensionData is null ? null : new Dictionary<string, object>(ExtensionData),
            _answerLength = _answerLength,
            _steps = _steps,
            _blockLength = _blockLength,
            _temperature = _temperature,
            _topP = _topP,
            _topK = _topK,
            _seed = _seed,
            _selection = _selection,
            _schedule = _schedule,
            _score = _score,
            _threshold = _threshold,
            _factor = _factor,
            _entropyBound = _entropyBound,
            _remasking = _remasking,
            _remaskingEta = _remaskingEta,
            _cfgScale = _cfgScale,
            _stopAtEos = _stopAtEos,
            _trailingEosThreshold = _trailingEosThreshold,
            _eosSuppression = _eosSuppression,
            _grammarSearch = _grammarSearch,
            _positionTemperature = _positionTemperature,
            _rankingScope = _rankingScope,
            _stopSequences = _stopSequences is null ? null : [.. _stopSequences],
            _maxDegreeOfParallelism = _maxDegreeOfParallelism,
            _jsonSchema = _jsonSchema?.Clone(),
            _jsonStringTokens = _jsonStringTokens,
            _jsonArrayItems = _jsonArrayItems,
            _jsonMode = _jsonMode,
            _cache = _cache,
            _cacheRefreshInterval = _cacheRefreshInterval,
            _cachePromptInterval = _cachePromptInterval,
            _cacheResponseFraction = _cacheResponseFraction,
            _reward = _reward,
            _rewardCandidates = _rewardCandidates,
            _rewardMode = _rewardMode,
            _rewardTemperature = _rewardTemperature,
            _rewardPattern = _rewardPattern,
            RewardObject = RewardObject,
        };
        return clone;
    }

    /// <inheritdoc />
    public override void Freeze()
    {
        if (IsFrozen)
        {
            return;
        }

        if (_stopSequences is not null)
        {
            _stopSequences = _stopSequences.ToList().AsReadOnly();
        }

        base.Freeze();
    }

    private void SetFinite(ref double? field, double? value, string name)
    {
        // Refused here: a NaN or infinite number cannot be serialized by Semantic Kernel's own conversions.
        DiffusionSettingsReader.EnsureFinite(name, value);
        Set(ref field, value);
    }

    private void Set<T>(ref T field, T value)
    {
        ThrowIfFrozen();
        field = value;
    }
}
