using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using SkDiffusion.Examples.Shared;
using SkDiffusion.SemanticKernel.Infilling;

namespace SkDiffusion.Evaluation;

/// <summary>
/// Scores the held-out set through the API an application calls, with the client's default settings: chat answers
/// through <see cref="IChatClient"/>, typed extraction through <c>GetResponseAsync&lt;Person&gt;</c>, infilling through
/// <see cref="DiffusionInfillingService.InfillAsync"/> and through the kernel plugin's <c>infill</c> function.
/// </summary>
internal sealed class ApiEvaluator(IChatClient client, DiffusionInfillingService infilling, Kernel kernel)
{
    /// <summary>The paths, in table order.</summary>
    public static readonly string[] Paths = ["chat: facts", "chat: extraction (free text)", "GetResponseAsync<Person>", "GetResponseAsync<Person>, copy_strings", "InfillAsync", "kernel plugin: infill"];

    /// <summary>The extractive setting: string values copied from the user's text.</summary>
    private static readonly ChatOptions CopyStrings = new() { AdditionalProperties = new() { ["copy_strings"] = true } };

    /// <summary>Per-field scores of the typed extraction, by phrasing.</summary>
    public Dictionary<string, ExtractionFields> Fields { get; } = [];

    /// <summary>Wrong answers (path, phrasing, expected, actual), at most <see cref="MaxFailures"/> per path and phrasing.</summary>
    public List<(string Path, string Phrasing, string Expected, string Actual)> Failures { get; } = [];

    /// <summary>How many wrong answers per path and phrasing <see cref="Failures"/> keeps.</summary>
    public int MaxFailures { get; init; }

    /// <summary>The held-out tasks to score (facts, extract, infill); empty scores all.</summary>
    public IReadOnlySet<string> Tasks { get; init; } = new HashSet<string>();

    /// <summary>One path's score on one phrasing set.</summary>
    public sealed record Score(string Path, string Phrasing, int Correct, int Valid, int Total, double Seconds)
    {
        public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;

        public double ValidShare => Total == 0 ? 0 : (double)Valid / Total;
    }

    /// <summary>Runs every path on the trained-phrasing and new-phrasing items (at most <paramref name="limit"/> each).</summary>
    public async Task<List<Score>> RunAsync(IReadOnlyList<HeldOutExample> examples, int limit)
    {
        var scores = new List<Score>();
        foreach (string phrasing in new[] { "train", "new" })
        {
            List<HeldOutExample> Of(string task) => Tasks.Count > 0 && !Tasks.Contains(task) ? [] : [.. examples.Where(e => e.Task == task && e.Phrasing == phrasing).Take(limit)];
            scores.Add(await ScoreAsync(Paths[0], phrasing, Of("facts"), async e =>
            {
                string text = (await client.GetResponseAsync(e.Prompt!)).Text.Trim();
                return (text == e.Answer, true, text);
            }));
            scores.Add(await ScoreAsync(Paths[1], phrasing, Of("extract"), async e =>
            {
                string text = (await client.GetResponseAsync(e.Prompt!)).Text.Trim();
                return (SameJson(text, e.Answer!), IsJsonObject(text), text);
            }));
            scores.Add(await ScoreAsync(Paths[2], phrasing, Of("extract"), e => ExtractAsync(e, null, phrasing)));
            scores.Add(await ScoreAsync(Paths[3], phrasing, Of("extract"), e => ExtractAsync(e, CopyStrings, phrasing + ", copy_strings")));
            scores.Add(await ScoreAsync(Paths[4], phrasing, Of("infill"), async e => JudgeInfill(e, (await infilling.InfillAsync(e.HoleDocument())).Text)));
            scores.Add(await ScoreAsync(Paths[5], phrasing, Of("infill"), async e =>
                JudgeInfill(e, (await kernel.InvokeAsync("diffusion", "infill", new KernelArguments { ["document"] = e.HoleDocument() })).GetValue<string>() ?? "")));
        }

        return scores;
    }

    /// <summary>Typed extraction of one item; per-field scores go under <paramref name="fieldsKey"/>.</summary>
    private async Task<(bool Right, bool Valid, string Actual)> ExtractAsync(HeldOutExample e, ChatOptions? options, string fieldsKey)
    {
        if (!Fields.TryGetValue(fieldsKey, out var fields))
        {
            fields = Fields[fieldsKey] = new ExtractionFields();
        }

        var response = await client.GetResponseAsync<Person>(e.Prompt!, options);
        fields.Add(e.Answer!, response.Text);
        bool valid = response.TryGetResult(out Person? person) && person is not null && Person.IsValid(response.Text);
        return (valid && person == JsonSerializer.Deserialize<Person>(e.Answer!, Person.JsonOptions), valid, response.Text);
    }

    /// <summary>An infilled document is right when it equals the original; valid when its fixed text is intact.</summary>
    private static (bool Right, bool Valid, string Actual) JudgeInfill(HeldOutExample e, string text) =>
        (text == e.FilledDocument(), text.StartsWith(e.Before!, StringComparison.Ordinal) && text.EndsWith(e.After!, StringComparison.Ordinal), text);

    private async Task<Score> ScoreAsync(string path, string phrasing, List<HeldOutExample> items, Func<HeldOutExample, Task<(bool Right, bool Valid, string Actual)>> run)
    {
        int correct = 0, valid = 0;
        var clock = Stopwatch.StartNew();
        foreach (var e in items)
        {
            var (right, ok, actual) = await run(e);
            correct += right ? 1 : 0;
            valid += ok ? 1 : 0;
            string expected = e.Task == "infill" ? e.FilledDocument() : e.Answer!;
            if (!right && Failures.Count(f => f.Path == path && f.Phrasing == phrasing) < MaxFailures)
            {
                Failures.Add((path, phrasing, expected, actual));
            }
        }

        return new Score(path, phrasing, correct, valid, items.Count, clock.Elapsed.TotalSeconds);
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool SameJson(string actual, string expected)
    {
        if (!IsJsonObject(actual))
        {
            return false;
        }

        using var a = JsonDocument.Parse(actual);
        using var b = JsonDocument.Parse(expected);
        return JsonElement.DeepEquals(a.RootElement, b.RootElement);
    }
}
