using System.Diagnostics;
using SkDiffusion.Examples.Shared;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;

namespace SkDiffusion.Benchmarks;

/// <summary>Runs the held-out set under one strategy, timing the sampler and its denoiser and counting allocations.</summary>
internal sealed class HeldOutBenchmark(ModelPackage package, TimingDenoiser denoiser)
{
    private readonly DiffusionSampler _sampler = DiffusionSampler.Create(denoiser, package.Manifest);
    private readonly List<HeldOutItem> _items = [];

    public void Prepare(IReadOnlyList<HeldOutExample> examples, int limit)
    {
        foreach (string task in HeldOutItem.Tasks)
        {
            _items.AddRange(examples.Where(x => x.Task == task).Take(limit).Select(e => HeldOutItem.Create(package, e)));
        }
    }

    private readonly List<int[]> _referenceTokens = [];

    /// <summary>Runs the strategy; <paramref name="record"/> keeps its canvases as the reference others are compared with.</summary>
    public async Task<Measurement> RunAsync(Strategy strategy, int? only = null, bool record = false)
    {
        int index = 0;
        var m = new Measurement { Name = strategy.Name };
        denoiser.AllLogits = strategy.AllLogits;
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
            m.Correct += item.IsCorrect(result) ? 1 : 0;
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
}
