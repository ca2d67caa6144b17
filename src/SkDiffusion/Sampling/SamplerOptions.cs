using SkDiffusion.Sampling.Constraints;
using SkDiffusion.Sampling.Events;
using SkDiffusion.Sampling.Guidance;
using SkDiffusion.Sampling.Remasking;
using SkDiffusion.Sampling.Schedules;
using SkDiffusion.Sampling.Scoring;
using SkDiffusion.Sampling.Selection;

namespace SkDiffusion.Sampling;

/// <summary>
/// The knobs of <see cref="DiffusionSampler"/>. Defaults reproduce LLaDA's reference decoding: greedy, confidence
/// ranking, even split, one block.
/// </summary>
public sealed class SamplerOptions
{
    /// <summary>
    /// Total sampling steps (at least 1), independent of the answer length. With blocks, each block gets
    /// <c>Steps / blocks</c> steps and the first <c>Steps % blocks</c> blocks one more (LLaDA requires divisibility;
    /// when it holds the split is identical). Schedule rules need <c>Steps &gt;= blocks</c>. Default 64.
    /// </summary>
    public int Steps { get; set; } = 64;

    /// <summary>
    /// The most steps per answer position: a run refuses <see cref="Steps"/> above this multiple of the longest row's
    /// answer length (and above <see cref="MinStepBound"/>) with an <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    public const int MaxStepsPerAnswerPosition = 16;

    /// <summary>The largest <see cref="CfgScale"/> accepted (larger scales overflow float32 logits).</summary>
    public const double MaxCfgScale = 1000;

    /// <summary>Steps up to this count are always allowed, whatever the answer length.</summary>
    public const int MinStepBound = 256;

    /// <summary>
    /// Semi-autoregressive block length in positions of the answer region, or <see langword="null"/> for one block.
    /// Positions of block b+1 are eligible only once block b holds no mask. A block length that does not divide the
    /// answer length leaves a shorter last block.
    /// </summary>
    public int? BlockLength { get; set; }

    /// <summary>How many tokens a schedule-driven step commits (default <see cref="LinearSchedule"/>).</summary>
    public ICommitSchedule Schedule { get; set; } = LinearSchedule.Instance;

    /// <summary>Which positions a step commits (default <see cref="SelectionRule.Schedule"/>).</summary>
    public SelectionRule Selection { get; set; } = SelectionRule.Schedule;

    /// <summary>Threshold for <see cref="SelectionRule.Threshold"/> and <see cref="SelectionRule.Confident"/>, in (0, 1]. Default 0.9.</summary>
    public double Threshold { get; set; } = 0.9;

    /// <summary>Factor for <see cref="SelectionRule.Factor"/>, above 0. Default 1.</summary>
    public double Factor { get; set; } = 1.0;

    /// <summary>
    /// The bound γ of <see cref="SelectionRule.EntropyBounded"/> (EB-Sampler), in nats, at least 0: a step commits the
    /// longest prefix of the ranking whose entropies sum, less the largest, to at most γ. 0 commits one position per
    /// step unless the others are certain. Default 0.1.
    /// </summary>
    public double EntropyBound { get; set; } = 0.1;

    /// <summary>Whether positions compete over the whole eligible canvas or per template slot.</summary>
    public RankingScope RankingScope { get; set; } = RankingScope.Canvas;

    /// <summary>The ranking score (default confidence).</summary>
    public ScoreKind Score { get; set; } = ScoreKind.Confidence;

    /// <summary>Which distribution the score comes from (default the noise-free model distribution).</summary>
    public ScoreDistribution ScoreDistribution { get; set; } = ScoreDistribution.Model;

    /// <summary>
    /// Sampling temperature (at least 0). 0 is greedy (argmax). Above 0 a token is drawn by Gumbel-max in double
    /// precision, LLaDA's <c>add_gumbel_noise</c>: <c>argmax exp(l) / (-log U)^T</c>, evaluated as the equivalent
    /// <c>argmax l - T·log(-log U)</c> so large logits cannot overflow.
    /// </summary>
    public double Temperature { get; set; }

    /// <summary>Keep only the k largest logits (ties kept) before sampling, as Dream's <c>top_k_logits</c>; null = off.</summary>
    public int? TopK { get; set; }

    /// <summary>
    /// Nucleus filtering before sampling, as Dream's <c>top_p_logits</c> (on the tempered logits): sorted descending,
    /// a token is kept while the cumulative probability before it is at most p (the top-1 is always kept); applied
    /// before top-k. In (0, 1]; null or 1 = off.
    /// </summary>
    public double? TopP { get; set; }

    /// <summary>
    /// Dream's <c>alg_temp</c> (at least 0; 0 = off): with <see cref="SelectionRule.Schedule"/>, the step's k
    /// positions are drawn without replacement with probabilities <c>softmax(score / PositionTemperature)</c> instead
    /// of taking the k best (implemented as the Gumbel-top-k trick, seeded like everything else).
    /// </summary>
    public double PositionTemperature { get; set; }

    /// <summary>Seed of the run's random generator (xoshiro256**); a seed always gives the same result.</summary>
    public ulong Seed { get; set; }

    /// <summary>ReMDM remasking, or null for none.</summary>
    public RemaskingOptions? Remasking { get; set; }

    /// <summary>
    /// Classifier-free guidance scale (at least 0; 0 = off). The unconditional row is the same canvas with the prompt
    /// tokens replaced by the mask (template fixed tokens stay); both rows go in one denoiser batch and
    /// <c>logits = uncond + (scale + 1) · (cond - uncond)</c>.
    /// </summary>
    public double CfgScale { get; set; }

    /// <summary>Reward guidance (best of N candidate commits per step, or best of N rollouts per block), or null.</summary>
    public RewardGuidanceOptions? RewardGuidance { get; set; }

    /// <summary>Logit processors applied to every answer position, in order, before the slot's own constraints.</summary>
    public IList<ILogitProcessor> LogitProcessors { get; } = new List<ILogitProcessor>();

    /// <summary>
    /// How candidates in grammar slots are chosen (default <see cref="GrammarSearch.Path"/>: the most probable
    /// completion of the slot; <see cref="GrammarSearch.Local"/>: each position's best allowed token on its own).
    /// </summary>
    public GrammarSearch GrammarSearch { get; set; } = GrammarSearch.Path;

    /// <summary>How EOS/EoT are held back (default none).</summary>
    public EosSuppression EosSuppression { get; set; } = EosSuppression.None;

    /// <summary>
    /// Early stop (dInfer): once the current block holds a committed EOS/EoT, the masked positions of that slot beyond
    /// the block are filled with EOS without decoding them; the current block still completes. Default off.
    /// </summary>
    public bool StopAtEos { get; set; }

    /// <summary>
    /// Commits a slot's trailing EOS run in parallel (null, the default: off). After each step's selection, the masked
    /// positions at the end of a slot (walking back from its end, over positions that already hold EOS/EoT) whose
    /// candidate is EOS or EoT with at least this probability are committed in the same step. The schedule then plans
    /// no commit until it is back on track, and such steps run no forward pass: an answer padded with EOS costs about
    /// one step for its padding instead of one per token. Must lie in (0, 1]; the chat client uses 0.99.
    /// </summary>
    public double? TrailingEosThreshold { get; set; }

    /// <summary>Whether <see cref="SequenceResult.AnswerTokens"/> ends before the first EOS/EoT (default on).</summary>
    public bool TruncateAtEos { get; set; } = true;

    /// <summary>
    /// How many threads score the eligible positions of a step (default: the processor count). Results do not depend
    /// on it: every position draws from its own random stream, derived from <see cref="Seed"/>, the step, the row,
    /// the position and the reward candidate. With more than one thread, <see cref="LogitProcessors"/> and slot
    /// processors are called concurrently for different positions and must be thread-safe (the built-in ones are).
    /// </summary>
    public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Key/value caching across steps (Fast-dLLM prefix or dual cache, dKV-Cache, dLLM-Cache). Default
    /// <see cref="CacheMode.None"/>. A cache needs a denoiser that supports it
    /// (<see cref="Denoising.OnnxDenoiser.SupportsCache"/>, directly or under a <see cref="Denoising.BatchingDenoiser"/>);
    /// the prefix and dual caches also need <see cref="BlockLength"/>. Every refresh costs one full pass (counted in
    /// the NFE), the other steps run only part of the canvas.
    /// </summary>
    public CacheMode CacheMode { get; set; } = CacheMode.None;

    /// <summary>How often <see cref="CacheMode.Delayed"/> and <see cref="CacheMode.Adaptive"/> refresh their caches.</summary>
    public CacheRefreshOptions CacheRefresh { get; set; } = new();

    /// <summary>Receives one event per step (called synchronously on the sampling thread when it is a plain IProgress).</summary>
    public IProgress<SamplingStepEvent>? Progress { get; set; }

    /// <summary>Called once per step with the step's event.</summary>
    public Action<SamplingStepEvent>? OnStep { get; set; }

    /// <summary>A shallow copy with another sampling temperature (the exploring candidates of reward guidance).</summary>
    internal SamplerOptions WithTemperature(double temperature)
    {
        var copy = (SamplerOptions)MemberwiseClone();
        copy.Temperature = temperature;
        return copy;
    }

    /// <summary>Checks the options; throws naming the option and the fix.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    /// <exception cref="ArgumentException">Options conflict.</exception>
    public void Validate()
    {
        if (Steps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Steps must be at least 1.");
        }

        if (BlockLength is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(BlockLength), BlockLength, "BlockLength must be at least 1, or null for a single block.");
        }

        if (!Enum.IsDefined(CacheMode))
        {
            throw new ArgumentOutOfRangeException(nameof(CacheMode), CacheMode, "Unknown cache mode.");
        }

        if (CacheMode is CacheMode.Prefix or CacheMode.Dual && BlockLength is null)
        {
            throw new ArgumentException($"CacheMode {CacheMode} refreshes its cache at block boundaries and needs BlockLength: set BlockLength (e.g. 8 or 32) or use CacheMode.None.", nameof(CacheMode));
        }

        if (CacheRefresh is null)
        {
            throw new ArgumentException("CacheRefresh is null: leave the default (new CacheRefreshOptions()) or set one.", nameof(CacheRefresh));
        }

        CacheRefresh.Validate();

        if (!(EntropyBound >= 0 && double.IsFinite(EntropyBound)))
        {
            throw new ArgumentOutOfRangeException(nameof(EntropyBound), EntropyBound, "EntropyBound must be a finite number of nats at least 0 (the EB-Sampler paper uses 0.01 to 1).");
        }

        if (MaxDegreeOfParallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "MaxDegreeOfParallelism must be at least 1.");
        }

        if (Schedule is null)
        {
            throw new ArgumentException("Schedule is null: use LinearSchedule.Instance, CosineSchedule.Instance, new ExponentialSchedule() or DreamSchedule.Default.", nameof(Schedule));
        }

        if (!Enum.IsDefined(Selection))
        {
            throw new ArgumentOutOfRangeException(nameof(Selection), Selection, "Unknown selection rule.");
        }

        if (!Enum.IsDefined(Score))
        {
            throw new ArgumentOutOfRangeException(nameof(Score), Score, "Unknown score kind.");
        }

        if (!(Threshold > 0 && Threshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "Threshold must lie in (0, 1]; Fast-dLLM uses 0.9.");
        }

        if (TrailingEosThreshold is double eos && !(eos > 0 && eos <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(TrailingEosThreshold), TrailingEosThreshold, "TrailingEosThreshold must lie in (0, 1] (e.g. 0.9), or be null to commit the EOS padding one position per step.");
        }

        if (!(Factor > 0) || double.IsInfinity(Factor))
        {
            throw new ArgumentOutOfRangeException(nameof(Factor), Factor, "Factor must be a finite number above 0; Fast-dLLM uses 1.");
        }

        if (!(Temperature >= 0) || double.IsInfinity(Temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Temperature must be 0 (greedy) or a finite positive number.");
        }

        if (!(PositionTemperature >= 0) || double.IsInfinity(PositionTemperature))
        {
            throw new ArgumentOutOfRangeException(nameof(PositionTemperature), PositionTemperature, "PositionTemperature must be 0 (take the k best) or a finite positive number.");
        }

        if (PositionTemperature > 0 && Selection != SelectionRule.Schedule)
        {
            throw new ArgumentException($"PositionTemperature draws the schedule's k positions; it has no meaning for Selection {Selection}. Set it to 0 or use Selection = Schedule.", nameof(PositionTemperature));
        }

        if (TopK is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "TopK must be at least 1, or null to disable it.");
        }

        if (TopP is double p && !(p > 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "TopP must lie in (0, 1], or null to disable it.");
        }

        if (!(CfgScale >= 0) || double.IsInfinity(CfgScale))
        {
            throw new ArgumentOutOfRangeException(nameof(CfgScale), CfgScale, "CfgScale must be 0 (off) or a finite positive number.");
        }

        if (CfgScale > MaxCfgScale)
        {
            throw new ArgumentOutOfRangeException(nameof(CfgScale), CfgScale, $"CfgScale must be at most {MaxCfgScale}: larger scales overflow float32 logits (papers use 0.5 to 5).");
        }

        if (!Enum.IsDefined(RankingScope))
        {
            throw new ArgumentOutOfRangeException(nameof(RankingScope), RankingScope, "Unknown ranking scope: use RankingScope.Canvas or RankingScope.Slot.");
        }

        if (!Enum.IsDefined(ScoreDistribution))
        {
            throw new ArgumentOutOfRangeException(nameof(ScoreDistribution), ScoreDistribution, "Unknown score distribution: use ScoreDistribution.Model or ScoreDistribution.Sampling.");
        }

        if (!Enum.IsDefined(GrammarSearch))
        {
            throw new ArgumentOutOfRangeException(nameof(GrammarSearch), GrammarSearch, "Unknown grammar search: use GrammarSearch.Path or GrammarSearch.Local.");
        }

        if (!Enum.IsDefined(EosSuppression))
        {
            throw new ArgumentOutOfRangeException(nameof(EosSuppression), EosSuppression, "Unknown EOS suppression mode.");
        }

        if (Score == ScoreKind.NegativeEntropy && Selection is SelectionRule.Threshold or SelectionRule.Factor or SelectionRule.Confident)
        {
            throw new ArgumentException($"Selection {Selection} compares scores with a threshold in (0, 1], but negative-entropy scores are at most 0 and never pass: use Score = Confidence (or Margin), or Selection = Schedule.", nameof(Score));
        }

        if (LogitProcessors.Any(x => x is null))
        {
            throw new ArgumentException("LogitProcessors holds a null entry.", nameof(LogitProcessors));
        }

        if (Remasking is { } r && r.Strategy != RemaskingStrategy.None)
        {
            if (Selection != SelectionRule.Schedule)
            {
                throw new ArgumentException($"Remasking needs Selection = Schedule (it follows the schedule's masked fraction); Selection is {Selection}. Set Remasking = null or Selection = Schedule.", nameof(Remasking));
            }

            if (!Enum.IsDefined(r.Strategy))
            {
                throw new ArgumentOutOfRangeException(nameof(Remasking), r.Strategy, "Unknown remasking strategy.");
            }

            if (!(r.Eta >= 0 && r.Eta <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(Remasking), r.Eta, "Remasking.Eta must lie in [0, 1].");
            }

            if (r.Strategy == RemaskingStrategy.Loop)
            {
                if (!(r.TOff >= 0 && r.TOff < r.TOn && r.TOn <= 1))
                {
                    throw new ArgumentOutOfRangeException(nameof(Remasking), $"TOn={r.TOn}, TOff={r.TOff}", "Loop remasking needs 0 <= TOff < TOn <= 1 (ReMDM uses TOn 0.55, TOff 0.05).");
                }

                if (!(r.AlphaOn > 0 && r.AlphaOn < 1))
                {
                    throw new ArgumentOutOfRangeException(nameof(Remasking), r.AlphaOn, "Remasking.AlphaOn must lie in (0, 1) (ReMDM uses 0.9).");
                }
            }
        }

        if (RewardGuidance is { } g)
        {
            if (!Enum.IsDefined(g.Mode))
            {
                throw new ArgumentOutOfRangeException(nameof(RewardGuidance), g.Mode, "Unknown reward mode: use RewardMode.Step or RewardMode.Block.");
            }

            if (g.Mode == RewardMode.Block && Remasking is { Strategy: not RemaskingStrategy.None })
            {
                throw new ArgumentException("Block rollouts (RewardGuidance.Mode = Block) end each rollout when its block holds no mask, but remasking keeps a block open for its spare steps: set Remasking = null or use RewardMode.Step.", nameof(RewardGuidance));
            }
        }
    }
}
