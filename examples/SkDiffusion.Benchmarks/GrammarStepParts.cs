using System.Diagnostics;
using SkDiffusion.Denoising;
using SkDiffusion.Grammars;
using SkDiffusion.Sampling.Internal;

namespace SkDiffusion.Benchmarks;

/// <summary>
/// Where a grammar-constrained step spends its time outside the model, part by part, on one real step of the
/// embedded model (the first one: every answer position masked, so every position is masked and recorded): the
/// feasibility pass, masking each position's logits, the softmax statistics that an unconstrained step computes too,
/// recording each position for the path search, and the search itself.
/// </summary>
internal static class GrammarStepParts
{
    public static async Task<List<(string What, string Value)>> RunAsync(IDenoiser denoiser, TokenGrammar grammar, IReadOnlyList<int> prompt, int answer, long maskId, int repeats)
    {
        int length = prompt.Count + answer;
        var ids = new long[length];
        for (int i = 0; i < length; i++)
        {
            ids[i] = i < prompt.Count ? prompt[i] : maskId;
        }

        int vocabulary = denoiser.VocabularySize;
        var logits = new float[answer * vocabulary];
        var forward = Stopwatch.StartNew();
        using (var output = await denoiser.DenoiseAsync(new DenoiserInput(ids, 1, length)))
        {
            for (int p = 0; p < answer; p++)
            {
                output.GetLogits(0, prompt.Count + p).CopyTo(logits.AsSpan(p * vocabulary, vocabulary));
            }
        }

        double forwardMs = forward.Elapsed.TotalMilliseconds;
        var pass = grammar.CreateFeasibility(answer);
        var region = new long[answer];
        Array.Fill(region, maskId);
        var search = new GrammarPathSearch(pass.Automaton, pass);
        var x = new float[vocabulary];
        var lse = new double[answer];
        pass.Compute(region, maskId);

        double Time(Action action)
        {
            action();
            var sw = Stopwatch.StartNew();
            for (int r = 0; r < repeats; r++)
            {
                action();
            }

            return sw.Elapsed.TotalMilliseconds / repeats;
        }

        double passMs = Time(() => pass.Compute(region, maskId));
        double copyStatsMs = Time(() =>
        {
            for (int p = 0; p < answer; p++)
            {
                logits.AsSpan(p * vocabulary, vocabulary).CopyTo(x);
                lse[p] = LogitStats.Compute(x, 1.0, false, false).LogSumExp;
            }
        });
        double maskMs = Time(() =>
        {
            for (int p = 0; p < answer; p++)
            {
                logits.AsSpan(p * vocabulary, vocabulary).CopyTo(x);
                pass.MaskLogits(p, x);
            }
        }) - Time(() =>
        {
            for (int p = 0; p < answer; p++)
            {
                logits.AsSpan(p * vocabulary, vocabulary).CopyTo(x);
            }
        });
        double recordMs = Time(() =>
        {
            search.Clear();
            for (int p = 0; p < answer; p++)
            {
                logits.AsSpan(p * vocabulary, vocabulary).CopyTo(x);
                pass.MaskLogits(p, x);
                lse[p] = LogitStats.Compute(x, 1.0, false, false).LogSumExp;
                search.Record(p, x, lse[p]);
            }
        }) - maskMs - copyStatsMs;
        bool found = false;
        double solveMs = Time(() => found = search.Solve(region, maskId));
        return
        [
            ($"  first step's parts, {answer} masked positions: the model's pass (one run, for scale)", $"{forwardMs:F2} ms"),
            ("    feasibility pass", $"{passMs:F3} ms"),
            ($"    masking {answer} positions' logits", $"{maskMs:F3} ms"),
            ($"    softmax statistics of {answer} positions (unconstrained steps too)", $"{copyStatsMs:F3} ms"),
            ($"    recording {answer} positions for the path search", $"{recordMs:F3} ms"),
            ($"    path search (found: {found})", $"{solveMs:F3} ms"),
        ];
    }
}
