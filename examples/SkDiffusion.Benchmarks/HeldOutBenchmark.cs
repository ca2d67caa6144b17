using System.Diagnostics;
using SkDiffusion.Chat;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;

namespace SkDiffusion.Benchmarks;

/// <summary>Runs the held-out set under one strategy, timing the sampler and its denoiser and counting allocations.</summary>
internal sealed class HeldOutBenchmark(ModelPackage package, TimingDenoiser denoiser)
{
    // The answer lengths of examples/SkDiffusion.Evaluation.
    public const int ExtractLength = 48;
    public const int FactsLength = 24;

    private readonly DiffusionSampler _sampler = DiffusionSampler.Create(denoiser, package.Manifest);
    private readonly List<(string Task, DiffusionCanvas Canvas, int Tokens, Func<SamplingResult, bool> Score)> _items = [];

    public void Prepare(IReadOnlyList<HeldOutExample> examples, int limit)
    {
        foreach (string task in new[] { "extract", "facts", "infill" })
        {
            foreach (HeldOutExample e in examples.Where(x => x.Task == task).Take(limit))
            {
                _items.Add(task == "infill" ? Infill(e) : Chat(e, task == "extract" ? ExtractLength : FactsLength));
            }
        }
    }

    private readonly List<int[]> _referenceTokens = [];

    /// <summary>Runs the strategy; <paramref name="record"/> keeps its canvases as the reference others are compared with.</summary>
    public async Task<Measurement> RunAsync(Strategy strategy, int? only = null, bool record = false)
    {
        int index = 0;
        var m = new Measurement { Name = strategy.Name };
        long lastAllocated = 0;
        int stepInRun = 0;
        foreach (var item in only is int n ? _items.Take(n) : _items)
        {
            SamplerOptions options = strategy.Options(item.Tokens);
            stepInRun = 0;
            options.OnStep = _ =>
            {
                long now = GC.GetAllocatedBytesForCurrentThread();
                if (stepInRun++ > 0)
                {
                    // Between two step events: one step of the loop in steady state (per-run setup excluded).
                    m.SteadyBytes += now - lastAllocated;
                    m.SteadySteps++;
                }

                lastAllocated = now;
            };

            denoiser.Ticks = 0;
            long before = GC.GetTotalAllocatedBytes(true);
            long start = Stopwatch.GetTimestamp();
            SamplingResult result = await _sampler.SampleAsync(item.Canvas, options);
            m.SampleSeconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
            m.AllocatedBytes += GC.GetTotalAllocatedBytes(true) - before;
            m.DenoiserSeconds += (double)denoiser.Ticks / Stopwatch.Frequency;
            m.Examples++;
            m.Tokens += item.Tokens;
            m.Nfe += result.Nfe;
            m.Steps += result.Steps;
            m.Correct += item.Score(result) ? 1 : 0;
            int[] canvas = [.. result.Sequences[0].Tokens];
            if (record)
            {
                _referenceTokens.Add(canvas);
            }
            else if (index < _referenceTokens.Count && canvas.AsSpan().SequenceEqual(_referenceTokens[index]))
            {
                m.SameAsReference++;
            }

            index++;
        }

        return m;
    }

    private (string, DiffusionCanvas, int, Func<SamplingResult, bool>) Chat(HeldOutExample e, int length)
    {
        IReadOnlyList<int> prompt = package.ChatFormat.RenderPrompt([new DiffusionChatMessage(DiffusionChatMessage.UserRole, e.Prompt!)]);
        string expected = e.Answer!;
        return (e.Task, DiffusionCanvas.FromPrompt(prompt, length), length, r => package.Tokenizer.Decode(r.AnswerTokens, skipSpecialTokens: true).Trim() == expected);
    }

    private (string, DiffusionCanvas, int, Func<SamplingResult, bool>) Infill(HeldOutExample e)
    {
        var tok = package.Tokenizer;
        var prefix = new List<int>();
        if (tok.BosId is int bos)
        {
            prefix.Add(bos);
        }

        prefix.AddRange(tok.EncodeToIds(e.Before!.TrimEnd(), allowSpecialTokens: false));
        IReadOnlyList<int> span = tok.EncodeToIds(" " + e.Span, allowSpecialTokens: false);
        var template = new CanvasTemplate().AddSlot(span.Count, new CanvasSlotOptions { Name = "span" }).AddTokens(tok.EncodeToIds(e.After!, allowSpecialTokens: false));
        return (e.Task, DiffusionCanvas.FromTemplate(prefix, template), span.Count, r => r.Sequences[0].Slots[0].Tokens.SequenceEqual(span));
    }
}
