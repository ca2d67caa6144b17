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
internal sealed partial class DiffusionSettings
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

    /// <summary>
    /// Unmasking (selection) rule: <c>schedule</c> (default), <c>threshold</c>, <c>factor</c>, <c>confident</c>,
    /// <c>origin</c> or <c>entropy_bounded</c> (EB-Sampler, with <see cref="EntropyBound"/>).
    /// </summary>
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

    /// <summary>
    /// The bound γ of <c>entropy_bounded</c> selection, in nats, at least 0: a step commits the longest prefix of the
    /// ranking whose entropies sum, less the largest, to at most γ. Default 0.1. Only with that selection.
    /// </summary>
    [JsonPropertyName("entropy_bound")]
    public double? EntropyBound { get; set; }

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

    /// <summary>
    /// Commits the EOS padding at the end of the answer in the same step once the model gives each of its positions at
    /// least this probability, in [0, 1]; fewer forward passes for short answers. Default 0.99; 0 turns it off (one
    /// padding position per step, as LLaDA's reference decoding).
    /// </summary>
    [JsonPropertyName("trailing_eos_threshold")]
    public double? TrailingEosThreshold { get; set; }

    /// <summary>EOS suppression: <c>none</c> (default), <c>logits</c> or <c>confidence</c>.</summary>
    [JsonPropertyName("eos_suppression")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<Sampling.EosSuppression>))]
    public Sampling.EosSuppression? EosSuppression { get; set; }

    /// <summary>
    /// How grammar answers (JSON schemas, tool arguments) choose their tokens when greedy: <c>path</c> (default: the
    /// most probable completion of the whole answer under each step's distributions) or <c>local</c> (each position's
    /// best allowed token on its own).
    /// </summary>
    [JsonPropertyName("grammar_search")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<Sampling.GrammarSearch>))]
    public Sampling.GrammarSearch? GrammarSearch { get; set; }

    /// <summary>Dream's <c>alg_temp</c> (0 = off).</summary>
    [JsonPropertyName("position_temperature")]
    public double? PositionTemperature { get; set; }

    /// <summary>Ranking scope: <c>canvas</c> or <c>slot</c> (default <c>slot</c> for templates, <c>canvas</c> otherwise).</summary>
    [JsonPropertyName("ranking_scope")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<RankingScope>))]
    public RankingScope? RankingScope { get; set; }

    /// <summary>
    /// Key/value cache: <c>none</c> (default, exact), Fast-dLLM's <c>prefix</c> or <c>dual</c> (both need blocks,
    /// <see cref="BlockLength"/>), <c>delayed</c> (dKV-Cache: a token's keys and values are cached one step after it
    /// is decoded) or <c>adaptive</c> (dLLM-Cache: long-interval prompt refresh, partial answer refresh by value
    /// similarity). Every mode needs a package built with a cache; <c>delayed</c> and <c>adaptive</c> also need
    /// unshifted logits (LLaDA-style, not Dream).
    /// </summary>
    [JsonPropertyName("cache")]
    [JsonConverter(typeof(SnakeCaseEnumConverter<CacheMode>))]
    public CacheMode? Cache { get; set; }

    /// <summary>
    /// <c>delayed</c>: a full pass every this many denoiser calls; <c>adaptive</c>: the whole answer runs every this
    /// many calls. At least 1. Default 8. Only with those caches.
    /// </summary>
    [JsonPropertyName("cache_refresh_interval")]
    public int? CacheRefreshInterval { get; set; }

    /// <summary><c>adaptive</c>: a full pass, prompt included, every this many denoiser calls. At least 1. Default 32.</summary>
    [JsonPropertyName("cache_prompt_interval")]
    public int? CachePromptInterval { get; set; }

    /// <summary>
    /// <c>adaptive</c>: the share of the answer a step recomputes besides the current blocks' masks (the positions
    /// least similar to the cache), in [0, 1]. Default 0.25.
    /// </summary>
    [JsonPropertyName("cache_response_fraction")]
    public double? CacheResponseFraction { get; set; }

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
}
