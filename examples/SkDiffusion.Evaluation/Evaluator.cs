using System.Diagnostics;
using SkDiffusion.Chat;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;

namespace SkDiffusion.Evaluation;

/// <summary>Runs the held-out set through the sampler and scores exact matches per task.</summary>
internal sealed class Evaluator(ModelPackage package, DiffusionSampler sampler)
{
    public const int ExtractLength = 48;
    public const int FactsLength = 24;

    public sealed record TaskScore(string Task, int Correct, int Total, long Nfe, long AnswerPositions, double Seconds)
    {
        public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;
        public double NfePerToken => AnswerPositions == 0 ? 0 : (double)Nfe / AnswerPositions;
    }

    public async Task<IReadOnlyList<TaskScore>> RunAsync(IReadOnlyList<HeldOutExample> examples, Strategy strategy, int limit)
    {
        var scores = new List<TaskScore>();
        foreach (string task in new[] { "extract", "facts", "infill" })
        {
            var items = examples.Where(e => e.Task == task).Take(limit).ToList();
            int correct = 0;
            long nfe = 0, positions = 0;
            var clock = Stopwatch.StartNew();
            foreach (HeldOutExample e in items)
            {
                (bool ok, int n, int len) = task == "infill" ? await InfillAsync(e, strategy) : await ChatAsync(e, task == "extract" ? ExtractLength : FactsLength, strategy);
                correct += ok ? 1 : 0;
                nfe += n;
                positions += len;
            }

            scores.Add(new TaskScore(task, correct, items.Count, nfe, positions, clock.Elapsed.TotalSeconds));
        }

        return scores;
    }

    private async Task<(bool, int, int)> ChatAsync(HeldOutExample e, int length, Strategy strategy)
    {
        IReadOnlyList<int> prompt = package.ChatFormat.RenderPrompt([new DiffusionChatMessage(DiffusionChatMessage.UserRole, e.Prompt!)]);
        SamplingResult r = await sampler.SampleAsync(DiffusionCanvas.FromPrompt(prompt, length), strategy.Options(length));
        string text = package.Tokenizer.Decode(r.AnswerTokens, skipSpecialTokens: true).Trim();
        return (text == e.Answer, r.Nfe, length);
    }

    private async Task<(bool, int, int)> InfillAsync(HeldOutExample e, Strategy strategy)
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
        SamplerOptions options = strategy.Options(span.Count);
        options.BlockLength = null; // a short span inside fixed text: blocks do not apply
        SamplingResult r = await sampler.SampleAsync(DiffusionCanvas.FromTemplate(prefix, template), options);
        IReadOnlyList<int> filled = r.Sequences[0].Slots[0].Tokens;
        return (filled.SequenceEqual(span), r.Nfe, span.Count);
    }
}
