using System.Text.Json;
using System.Text.Json.Serialization;

namespace SkDiffusion.Examples.Shared;

/// <summary>One line of <c>models/eval/heldout.jsonl</c>.</summary>
internal sealed class HeldOutExample
{
    [JsonPropertyName("task")] public string Task { get; set; } = "";
    [JsonPropertyName("phrasing")] public string Phrasing { get; set; } = "train";
    [JsonPropertyName("prompt")] public string? Prompt { get; set; }
    [JsonPropertyName("answer")] public string? Answer { get; set; }
    [JsonPropertyName("before")] public string? Before { get; set; }
    [JsonPropertyName("span")] public string? Span { get; set; }
    [JsonPropertyName("after")] public string? After { get; set; }

    /// <summary>
    /// The infilling document a user would write for this example: the held-out span replaced by a hole sized in words
    /// (<c>[[MASK:n]]</c>).
    /// </summary>
    public string HoleDocument() => $"{Before}[[MASK:{Span!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length}]]{After}";

    /// <summary>The infilling document with its held-out span in place (the right answer).</summary>
    public string FilledDocument() => Before + Span + After;

    /// <summary>Reads a JSON-lines file of examples.</summary>
    public static List<HeldOutExample> Load(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<HeldOutExample>(l)!).ToList();
}
