using System.Text.Json;

namespace SkDiffusion.Tests.Reliability;

/// <summary>One row of <c>bad-inputs.json</c>: where it attacks, what it feeds in, and the refusal expected.</summary>
/// <param name="Area">The runtime area (packages, tokenizer, sampler-options, sampler-run, canvas, templates, denoiser).</param>
/// <param name="Input">What the input is, in words (unique).</param>
/// <param name="Expect">The exact exception type name, or <c>handled</c> for an input documented as accepted.</param>
/// <param name="Fragment">A fragment the message must contain (for <c>handled</c>: what the result is checked for).</param>
/// <param name="Args">The input itself, interpreted by <see cref="BadInputRunner"/>.</param>
public sealed record BadInputCase(string Area, string Input, string Expect, string Fragment, JsonElement Args)
{
    private static readonly Lazy<IReadOnlyList<BadInputCase>> All = new(Load);

    /// <summary>Every case of the data file, in file order.</summary>
    public static IReadOnlyList<BadInputCase> Cases => All.Value;

    /// <inheritdoc />
    public override string ToString() => $"{Area}: {Input}";

    private static IReadOnlyList<BadInputCase> Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Reliability", "bad-inputs.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
        var cases = new List<BadInputCase>();
        foreach (JsonElement e in document.RootElement.GetProperty("cases").EnumerateArray())
        {
            cases.Add(new BadInputCase(
                e.GetProperty("area").GetString()!,
                e.GetProperty("input").GetString()!,
                e.GetProperty("expect").GetString()!,
                e.GetProperty("fragment").GetString()!,
                e.TryGetProperty("args", out JsonElement args) ? args.Clone() : default));
        }

        return cases;
    }
}
