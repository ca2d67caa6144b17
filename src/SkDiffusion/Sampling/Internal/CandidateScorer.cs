using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using SkDiffusion.Denoising;
using SkDiffusion.Sampling.Constraints;
using SkDiffusion.Sampling.Internal.Selection;

namespace SkDiffusion.Sampling.Internal;

/// <summary>
/// Scores a step's candidates: for each eligible masked position, its logits (with CFG) through the logit processors,
/// slot constraints and EOS rules into a token, a score and a probability (<see cref="PositionEvaluator"/>), in
/// parallel when the work is large enough. Each position draws from its own random stream, so results do not depend
/// on the degree of parallelism. Candidates above 0 of reward guidance score with the exploration temperature
/// (<see cref="Guidance.RewardGuidanceOptions.ExplorationTemperature"/>) when one is set.
/// </summary>
internal sealed class CandidateScorer
{
    private readonly CanvasState _state;
    private readonly SamplerOptions _options;
    private readonly bool _cfg;
    private readonly bool _needEntropy;
    private readonly ConcurrentBag<PositionEvaluator> _evaluators = [];
    private readonly GrammarGate? _grammar;

    // Reward guidance: the exploring candidates' options (another temperature) and evaluators; null without exploration.
    private readonly SamplerOptions? _explore;
    private readonly ConcurrentBag<PositionEvaluator> _exploreEvaluators = [];

    public CandidateScorer(CanvasState state, SamplerOptions options, bool cfg, bool needEntropy, GrammarGate? grammar)
    {
        _state = state;
        _grammar = grammar;
        _options = options;
        _cfg = cfg;
        _needEntropy = needEntropy;
        _explore = options.RewardGuidance?.ExplorationTemperature is double explore && explore != options.Temperature ? options.WithTemperature(explore) : null;
    }

    /// <summary>Scores every candidate of row <paramref name="r"/> from <paramref name="output"/>.</summary>
    /// <param name="r">The canvas row.</param>
    /// <param name="set">The candidates (positions filled in).</param>
    /// <param name="step">The run's step, for the random streams and the processors' context.</param>
    /// <param name="candidate">The reward-guidance candidate, for the random streams.</param>
    /// <param name="output">The denoiser output.</param>
    /// <param name="logitsOffset">The canvas position of the output's first position.</param>
    public void ScoreAll(int r, CandidateSet set, int step, int candidate, DenoiserOutput output, int logitsOffset)
    {
        bool exploring = candidate > 0 && _explore is not null;
        ScoreEach(r, set, step, candidate, output, logitsOffset, exploring);
        // The gate holds path searches only for greedy runs (SamplingRun); exploring candidates choose locally.
        if (_grammar is not null && !exploring)
        {
            var row = _state.Rows[r];
            _grammar.ChoosePaths(r, new ReadOnlySpan<long>(_state.Tokens, _state.RowBase(r), row.Length), set, _options.Score == Scoring.ScoreKind.Confidence);
        }
    }

    private void ScoreEach(int r, CandidateSet set, int step, int candidate, DenoiserOutput output, int logitsOffset, bool exploring)
    {
        int count = set.Count;
        var bag = exploring ? _exploreEvaluators : _evaluators;
        var options = exploring ? _explore! : _options;
        PositionEvaluator Rent() => bag.TryTake(out var evaluator) ? evaluator : new PositionEvaluator(_state.Vocabulary, options, _state.Ids, _needEntropy);

        int degree = _options.MaxDegreeOfParallelism;
        if (degree <= 1 || count < 2 || (long)count * _state.Vocabulary < 65536)
        {
            var evaluator = Rent();
            for (int i = 0; i < count; i++)
            {
                Score(evaluator, r, set, i, step, candidate, output, logitsOffset);
            }

            bag.Add(evaluator);
            return;
        }

        try
        {
            Parallel.For(
                0,
                count,
                new ParallelOptions { MaxDegreeOfParallelism = degree },
                Rent,
                (i, _, evaluator) =>
                {
                    Score(evaluator, r, set, i, step, candidate, output, logitsOffset);
                    return evaluator;
                },
                bag.Add);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count >= 1)
        {
            ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }
    }

    private void Score(PositionEvaluator evaluator, int r, CandidateSet set, int i, int step, int candidate, DenoiserOutput output, int logitsOffset)
    {
        var row = _state.Rows[r];
        var seq = _state.Canvas.Sequences[r];
        int p = set.Position[i];
        int flat = _state.RowBase(r) + p;
        int slotIndex = _state.Slot[flat];
        var slot = slotIndex >= 0 ? seq.Slots[slotIndex] : null;
        int at = row.Offset + p - logitsOffset;
        var cond = output.GetLogits(r, at);
        var uncond = _cfg ? output.GetLogits(_state.Batch + r, at) : default;
        var context = new LogitProcessorContext(r, p, slotIndex, step, new ReadOnlyMemory<long>(_state.Tokens, _state.RowBase(r), row.Length));
        if (!evaluator.Load(cond, uncond, _options.CfgScale, context, slotIndex >= 0 ? _state.SlotAllowed[r][slotIndex] : null, slot?.Options.LogitProcessor, slot is { Options.VariableLength: false }))
        {
            throw new InvalidOperationException($"Every token is forbidden at row {r}, position {p}: the logit processors, slot constraints and EOS rules leave nothing to choose.");
        }

        evaluator.Random.Reseed(Xoshiro256StarStar.Derive(_options.Seed, step, r, p, candidate));
        var pick = evaluator.Choose(evaluator.Random);
        set.Token[i] = pick.Token;
        set.Score[i] = pick.Score;
        set.Probability[i] = pick.Probability;
        set.Entropy[i] = pick.Entropy;
    }
}
