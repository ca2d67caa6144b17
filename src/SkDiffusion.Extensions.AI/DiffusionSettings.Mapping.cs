using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Remasking;
using SkDiffusion.Sampling.Schedules;
using SkDiffusion.Sampling.Scoring;
using SkDiffusion.Sampling.Selection;

namespace SkDiffusion.Extensions.AI;

// The mapping of the settings onto SamplerOptions, with range checks naming each setting.
internal sealed partial class DiffusionSettings
{
    /// <summary>
    /// The default of <c>trailing_eos_threshold</c>: on the embedded models' held-out sets 0.99 changed at most one
    /// answer in a hundred and 0.9 lost new-phrasing facts (README, "The trailing-EOS commit").
    /// </summary>
    internal const double DefaultTrailingEosThreshold = 0.99;

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
            TrailingEosThreshold = TrailingEosThreshold is 0 ? null : TrailingEosThreshold ?? DefaultTrailingEosThreshold,
        };

        foreach (var (name, value) in new[] { ("reward_temperature", RewardTemperature), ("temperature", Temperature), ("top_p", TopP), ("threshold", Threshold), ("factor", Factor), ("remasking_eta", RemaskingEta), ("cfg_scale", CfgScale), ("position_temperature", PositionTemperature), ("entropy_bound", EntropyBound), ("cache_response_fraction", CacheResponseFraction), ("trailing_eos_threshold", TrailingEosThreshold) })
        {
            DiffusionSettingsReader.EnsureFinite(name, value);
        }

        Check(Steps is null or >= 1, "steps", Steps, "steps must be at least 1.");
        Check(BlockLength is null or >= 0, "block_length", BlockLength, "block_length must be 0 (one block) or positive.");
        Check(Temperature is not double t || (t >= 0 && !double.IsInfinity(t)), "temperature", Temperature, "temperature must be 0 (greedy) or a finite positive number.");
        Check(TopP is null or > 0 and <= 1, "top_p", TopP, "top_p must lie in (0, 1].");
        Check(TopK is null or >= 1, "top_k", TopK, "top_k must be at least 1.");
        Check(Threshold is null or > 0 and <= 1, "threshold", Threshold, "threshold must lie in (0, 1].");
        Check(TrailingEosThreshold is null or >= 0 and <= 1, "trailing_eos_threshold", TrailingEosThreshold, "trailing_eos_threshold must lie in [0, 1]: 0 commits the padding one position per step, the default is 0.99.");
        Check(Factor is null or (> 0 and < double.PositiveInfinity), "factor", Factor, "factor must be a finite number above 0.");
        Check(CfgScale is null or (>= 0 and < double.PositiveInfinity), "cfg_scale", CfgScale, "cfg_scale must be 0 (off) or a finite positive number.");
        Check(RemaskingEta is null or >= 0 and <= 1, "remasking_eta", RemaskingEta, "remasking_eta must lie in [0, 1].");
        Check(PositionTemperature is null or >= 0, "position_temperature", PositionTemperature, "position_temperature must be 0 (off) or positive.");
        Check(EntropyBound is null or >= 0, "entropy_bound", EntropyBound, "entropy_bound must be a number of nats at least 0 (the EB-Sampler paper uses 0.01 to 1).");
        Check(CacheRefreshInterval is null or >= 1, "cache_refresh_interval", CacheRefreshInterval, "cache_refresh_interval must be at least 1 (1 refreshes at every call).");
        Check(CachePromptInterval is null or >= 1, "cache_prompt_interval", CachePromptInterval, "cache_prompt_interval must be at least 1 (1 runs the whole canvas at every call).");
        Check(CacheResponseFraction is null or >= 0 and <= 1, "cache_response_fraction", CacheResponseFraction, "cache_response_fraction must lie in [0, 1].");
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
        o.GrammarSearch = Defined(GrammarSearch, "grammar_search") ?? Sampling.GrammarSearch.Path;
        o.RankingScope = Defined(RankingScope, "ranking_scope") ?? (template ? Sampling.Selection.RankingScope.Slot : Sampling.Selection.RankingScope.Canvas);
        o.CacheMode = Defined(Cache, "cache") ?? CacheMode.None;
        ApplyTechniqueSettings(o);
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
        nameof(CacheRefreshOptions.Interval) => "cache_refresh_interval",
        nameof(CacheRefreshOptions.PromptInterval) => "cache_prompt_interval",
        nameof(CacheRefreshOptions.ResponseFraction) => "cache_response_fraction",
        nameof(SamplerOptions.Remasking) => "remasking",
        nameof(SamplerOptions.RewardGuidance) => "reward_mode",
        _ => string.Concat(property.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString())),
    };

    /// <summary>
    /// Maps the settings of the entropy-bounded rule and the delayed and adaptive caches, refusing one given without
    /// the selection or cache it belongs to (it would otherwise be ignored without a word).
    /// </summary>
    private void ApplyTechniqueSettings(SamplerOptions o)
    {
        if (EntropyBound is double bound)
        {
            Requires(o.Selection == SelectionRule.EntropyBounded, "entropy_bound", "selection", "entropy_bounded");
            o.EntropyBound = bound;
        }

        if (CacheRefreshInterval is int interval)
        {
            Requires(o.CacheMode is CacheMode.Delayed or CacheMode.Adaptive, "cache_refresh_interval", "cache", "delayed or adaptive");
            o.CacheRefresh.Interval = interval;
        }

        if (CachePromptInterval is int promptInterval)
        {
            Requires(o.CacheMode == CacheMode.Adaptive, "cache_prompt_interval", "cache", "adaptive");
            o.CacheRefresh.PromptInterval = promptInterval;
        }

        if (CacheResponseFraction is double fraction)
        {
            Requires(o.CacheMode == CacheMode.Adaptive, "cache_response_fraction", "cache", "adaptive");
            o.CacheRefresh.ResponseFraction = fraction;
        }
    }

    private static void Requires(bool ok, string name, string owner, string values)
    {
        if (!ok)
        {
            throw new ArgumentException($"Diffusion setting '{name}' applies only with {owner} {values}: set \"{owner}\" accordingly or remove '{name}'.", name);
        }
    }

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
