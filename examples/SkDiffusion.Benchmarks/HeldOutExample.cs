using System.Text.Json.Serialization;

namespace SkDiffusion.Benchmarks;

/// <summary>One line of <c>models/eval/heldout.jsonl</c>.</summary>
internal sealed class HeldOutExample
{
    [JsonPropertyName("task")] public string Task { get; set; } = "";
    [JsonPropertyName("prompt")] public string? Prompt { get; set; }
    [JsonPropertyName("answer")] public string? Answer { get; set; }
    [JsonPropertyName("before")] public string? Before { get; set; }
    [JsonPropertyName("span")] public string? Span { get; set; }
    [JsonPropertyName("after")] public string? After { get; set; }
}
