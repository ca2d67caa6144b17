using System.Text.Json;

namespace SkDiffusion.Tests.Examples;

/// <summary>
/// Each example's main path, run as a user runs it, prints the right answers: the lines recorded under
/// <c>examples</c> in <c>models/eval/known-good.json</c> (answers that follow from the embedded model's world,
/// models/recipe/corpus.py) must appear in its output.
/// </summary>
public sealed class ExampleOutputTests
{
    private sealed record ExampleCase(string Project, string[] Args, string[] Expect);

    private sealed record KnownGoodFile(List<ExampleCase> Examples);

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Load())
        {
            data.Add(c.Project);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ExamplePrintsTheKnownGoodAnswers(string project)
    {
        var example = Load().Single(c => c.Project == project);
        var (exitCode, output) = await ExampleRunner.RunAsync(project, example.Args, TimeSpan.FromMinutes(3));

        Assert.True(exitCode == 0, $"{project} exited with {exitCode}:\n{output}");
        foreach (string line in example.Expect)
        {
            Assert.True(output.Contains(line, StringComparison.Ordinal), $"{project} did not print \"{line}\". It printed:\n{output}");
        }
    }

    private static List<ExampleCase> Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "known-good.json");
        var file = JsonSerializer.Deserialize<KnownGoodFile>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        return file?.Examples ?? throw new InvalidOperationException($"{path} has no \"examples\" list.");
    }
}
