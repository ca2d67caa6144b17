using System.Text.Json;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Examples;

/// <summary>
/// The extraction probe sets of models/eval/probes (written by models/recipe/make_extraction_probes.py) are what their
/// README row says they are: held-out new-phrasing extraction rows with one thing changed, every value still in the
/// prompt, and the untouched sets equal to the held-out rows. Data integrity of the evaluation's inputs (mechanics):
/// the scores themselves come from running the evaluation on the embedded model.
/// </summary>
public sealed class ExtractionProbeFilesTests
{
    private sealed record Row(string Task, string Phrasing, string Prompt, string Answer);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    [Theory]
    [InlineData("kv-status", true)]
    [InlineData("kv-status-lower", false)]
    [InlineData("kv-status-semicolons", false)]
    [InlineData("city-first", true)]
    [InlineData("city-first-trained", false)]
    [InlineData("city-first-heading", false)]
    public void ProbeRowsAreHeldOutRowsWithOneChange(string set, bool asHeldOut)
    {
        string root = RepositoryPaths.Root();
        var heldOut = Load(Path.Combine(root, "models", "eval", "heldout.jsonl"))
            .Where(r => r.Task == "extract" && r.Phrasing == "new")
            .ToList();
        var probes = Load(Path.Combine(root, "models", "eval", "probes", $"extraction-{set}.jsonl"));

        Assert.InRange(probes.Count, 20, 30);
        Assert.Equal(probes.Count, probes.Select(p => p.Answer).Distinct().Count());
        foreach (var probe in probes)
        {
            Assert.Equal(("extract", "new"), (probe.Task, probe.Phrasing));
            var source = Assert.Single(heldOut, r => r.Answer == probe.Answer);
            using var answer = JsonDocument.Parse(probe.Answer);
            foreach (string field in new[] { "name", "city", "job" })
            {
                Assert.Contains(answer.RootElement.GetProperty(field).GetString()!, probe.Prompt, StringComparison.Ordinal);
            }

            Assert.Contains(answer.RootElement.GetProperty("age").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), probe.Prompt, StringComparison.Ordinal);
            if (asHeldOut)
            {
                Assert.Equal(source.Prompt, probe.Prompt);
            }
            else
            {
                Assert.NotEqual(source.Prompt, probe.Prompt);
            }
        }
    }

    private static List<Row> Load(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<Row>(l, Json)!).ToList();
}
