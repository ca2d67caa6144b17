using System.Diagnostics;
using SkDiffusion.Examples.Shared;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;

namespace SkDiffusion.Evaluation;

/// <summary>Runs the held-out set through the sampler and scores exact matches per task.</summary>
internal sealed class Evaluator(ModelPackage package, DiffusionSampler sampler)
{
    public sealed record TaskScore(string Task, int Correct, int Total, long Nfe, long AnswerPositions, double Seconds)
    {
        public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;
        public double NfePerToken => AnswerPositions == 0 ? 0 : (double)Nfe / AnswerPositions;
    }

    /// <summary>Per-field scores of the extraction answers of the last <see cref="RunAsync"/>.</summary>
    public ExtractionFields Fields { get; private set; } = new();

    /// <summary>Wrong chat answers of the last <see cref="RunAsync"/> (task, expected, decoded), at most <see cref="MaxFailures"/> per task.</summary>
    public List<(string Task, string Expected, string Actual)> Failures { get; } = [];

    /// <summary>How many wrong answers per task <see cref="Failures"/> keeps; 0 keeps none.</summary>
    public int MaxFailures { get; init; }

    public async Task<IReadOnlyList<TaskScore>> RunAsync(IReadOnlyList<HeldOutExample> examples, Strategy strategy, int limit)
    {
        Fields = new ExtractionFields();
        Failures.Clear();
        var scores = new List<TaskScore>();
        foreach (string task in HeldOutItem.Tasks)
        {
            var chosen = examples.Where(e => e.Task == task).Take(limit).ToList();
            var items = chosen.Select(e => HeldOutItem.Create(package, e)).ToList();
            int correct = 0;
            long nfe = 0, positions = 0;
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < items.Count; i++)
            {
                HeldOutItem item = items[i];
                SamplerOptions options = strategy.Options(item.Tokens);
                if (task == "infill")
                {
                    options.BlockLength = null; // a short span inside fixed text: blocks do not apply
                }

                SamplingResult r = await sampler.SampleAsync(item.Canvas, options);
                bool right = item.IsCorrect(r);
                correct += right ? 1 : 0;
                string? answer = task == "infill" ? null : HeldOutItem.AnswerText(package, r);
                if (!right && answer is not null && Failures.Count(f => f.Task == task) < MaxFailures)
                {
                    Failures.Add((task, chosen[i].Answer!, answer));
                }

                if (task == "extract")
                {
                    Fields.Add(chosen[i].Answer!, answer!);
                }

                nfe += r.Nfe;
                positions += item.Tokens;
            }

            scores.Add(new TaskScore(task, correct, items.Count, nfe, positions, clock.Elapsed.TotalSeconds));
        }

        return scores;
    }
}
