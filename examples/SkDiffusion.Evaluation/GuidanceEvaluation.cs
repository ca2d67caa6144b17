using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using SkDiffusion.Examples.Shared;
using SkDiffusion.Extensions.AI;
using SkDiffusion.Sampling.Guidance;

namespace SkDiffusion.Evaluation;

/// <summary>
/// Reward guidance through the public API (<c>--reward NAME</c>): the same chat tasks decoded by the same client with
/// and without <see cref="DiffusionRewardExtensions.UseDiffusionReward"/>, in one run, with exact match, forward
/// passes (the response's <c>nfe</c> usage count) and time per path and phrasing.
/// </summary>
internal static class GuidanceEvaluation
{
    private static readonly string[] Paths = ["chat: facts", "chat: extraction (free text)", "GetResponseAsync<Person>"];

    /// <summary>How many answers that guidance changed (right to wrong or wrong to right) to print per row (<c>--failures N</c>).</summary>
    public static int Failures { get; set; }

    /// <summary>One path and phrasing, decoded one way, with each item's answer and whether it was right.</summary>
    private sealed record Row(int Correct, int Total, long Nfe, double Seconds, List<(string Text, bool Right)> Answers);

    public static async Task RunAsync(string packageDir, IReadOnlyList<HeldOutExample> examples, int limit, string reward, int candidates, RewardMode mode, double? explorationTemperature, string[] tasks, string[] phrasings, IReadOnlyDictionary<string, string> settings)
    {
        using var model = DiffusionModel.Load(packageDir);
        TextReward verifier = reward switch
        {
            "copy" => new CopyFidelityReward(),
            "schema" => new JsonSchemaReward(AIJsonUtilities.CreateJsonSchema(typeof(Person), serializerOptions: Person.JsonOptions)),
            _ => throw new ArgumentException($"--reward {reward}: use copy or schema.", nameof(reward)),
        };

        // Extra settings (--setting key=value) apply to both clients, so both decode the same way apart from the reward.
        var apply = EvaluationCommandLine.Apply(settings);

        IChatClient plain = new DiffusionChatClient(model).AsBuilder().ConfigureOptions(apply).Build();
        var builder = new DiffusionChatClient(model).AsBuilder().ConfigureOptions(apply).UseDiffusionReward(verifier, candidates, mode);
        if (explorationTemperature is double t)
        {
            builder = builder.ConfigureOptions(o => o.AdditionalProperties!["reward_temperature"] = t);
        }

        IChatClient guided = builder.Build();
        Console.WriteLine($"model {model.ModelId}, held-out: at most {limit} per task and phrasing, client defaults (greedy){string.Concat(settings.Select(kv => $", {kv.Key}={kv.Value}"))}; guided: reward {verifier.Name}, {candidates} candidates per {(mode == RewardMode.Block ? "block" : "step")}, exploration temperature {explorationTemperature?.ToString(CultureInfo.InvariantCulture) ?? "1 (default)"}");
        Console.WriteLine();
        Console.WriteLine("| path | phrasing | n | exact match, plain | exact match, guided | NFE/answer, plain | NFE/answer, guided | seconds, plain | seconds, guided |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (string path in Paths.Where(p => tasks.Length == 0 || tasks.Any(t => p.Contains(t, StringComparison.OrdinalIgnoreCase))))
        {
            foreach (string phrasing in phrasings)
            {
                string task = path == Paths[0] ? "facts" : "extract";
                var items = examples.Where(e => e.Task == task && e.Phrasing == phrasing).Take(limit).ToList();
                var a = await ScoreAsync(plain, path, items);
                var b = await ScoreAsync(guided, path, items);
                Console.WriteLine($"| {path} | {phrasing} | {a.Total} | {Pct(a)} | {Pct(b)} | {(double)a.Nfe / a.Total:F1} | {(double)b.Nfe / b.Total:F1} | {a.Seconds:F1} | {b.Seconds:F1} |");
                PrintChanges(path, phrasing, items, a, b);
            }
        }
    }

    private static async Task<Row> ScoreAsync(IChatClient client, string path, List<HeldOutExample> items)
    {
        int correct = 0;
        long nfe = 0;
        var answers = new List<(string Text, bool Right)>();
        var clock = Stopwatch.StartNew();
        foreach (var e in items)
        {
            ChatResponse response;
            bool right;
            if (path == Paths[2])
            {
                var typed = await client.GetResponseAsync<Person>(e.Prompt!);
                right = typed.TryGetResult(out Person? person) && person is not null && person == JsonSerializer.Deserialize<Person>(e.Answer!, Person.JsonOptions);
                response = typed;
            }
            else
            {
                response = await client.GetResponseAsync(e.Prompt!);
                string text = response.Text.Trim();
                right = path == Paths[0] ? text == e.Answer : SameJson(text, e.Answer!);
            }

            correct += right ? 1 : 0;
            answers.Add((response.Text, right));

            nfe += response.Usage?.AdditionalCounts?.TryGetValue("nfe", out long n) == true ? n : 0;
        }

        return new Row(correct, items.Count, nfe, clock.Elapsed.TotalSeconds, answers);
    }

    private static void PrintChanges(string path, string phrasing, List<HeldOutExample> items, Row plain, Row guided)
    {
        int shown = 0;
        for (int i = 0; i < items.Count && shown < Failures; i++)
        {
            if (plain.Answers[i].Right == guided.Answers[i].Right)
            {
                continue;
            }

            shown++;
            Console.WriteLine($"  [{path}, {phrasing}] {(guided.Answers[i].Right ? "fixed" : "broken")} by guidance: {items[i].Prompt}");
            Console.WriteLine($"    plain:  {plain.Answers[i].Text}");
            Console.WriteLine($"    guided: {guided.Answers[i].Text}");
        }
    }

    private static string Pct(Row r) => (r.Total == 0 ? 0 : 100.0 * r.Correct / r.Total).ToString("F1", CultureInfo.InvariantCulture) + "%";

    private static bool SameJson(string actual, string expected)
    {
        try
        {
            using var a = JsonDocument.Parse(actual);
            using var b = JsonDocument.Parse(expected);
            return a.RootElement.ValueKind == JsonValueKind.Object && JsonElement.DeepEquals(a.RootElement, b.RootElement);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
