using SkDiffusion.ModelBuilder.Cli;

namespace SkDiffusion.Tests.ModelBuilder;

/// <summary>The command-line front end: exit codes, one-line errors, progress output.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task HelpPrintsUsage()
    {
        var (code, output, error) = await Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("--checkpoint <dir>", output);
        Assert.Contains("--precision", output);
        Assert.Empty(error);
    }

    [Theory]
    [InlineData("--checkpoint", "x")]
    [InlineData("--bogus")]
    [InlineData("--checkpoint", "a", "--output", "b", "--precision", "fp8")]
    [InlineData("--checkpoint", "a", "--output", "b", "--context-length", "-3")]
    [InlineData("--checkpoint", "a", "--output")]
    public async Task BadArgumentsExitWithOneLine(params string[] args)
    {
        var (code, _, error) = await Run(args);
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task UserErrorIsOneLineWithoutStackTrace()
    {
        using var temp = new TempDirectory();
        var (code, _, error) = await Run("--checkpoint", temp.Combine("nope"), "--output", temp.Combine("out"));
        Assert.Equal(1, code);
        Assert.Contains("checkpoint folder not found", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.DoesNotContain(" at ", error);
    }

    [Fact]
    public async Task ConvertsFixtureAndPrintsProgress()
    {
        using var temp = new TempDirectory();
        string output = temp.Combine("pkg");
        var (code, stdout, error) = await Run("--checkpoint", FixturePaths.Fixture("tiny-llada"), "--output", output, "--precision", "fp16", "--name", "tiny/llada");
        Assert.True(code == 0, error);
        Assert.Contains("[1/23] model.transformer.wte.weight", stdout);
        Assert.Contains("[2/23] rope.cos", stdout);
        Assert.Contains("[23/23] model.transformer.ff_out.weight", stdout);
        Assert.Contains("Package 'tiny/llada' (llada, float16", stdout);
        Assert.True(File.Exists(Path.Combine(output, "manifest.json")));

        var (again, _, againError) = await Run("--checkpoint", FixturePaths.Fixture("tiny-llada"), "--output", output);
        Assert.Equal(1, again);
        Assert.Contains("not empty", againError);
        var (overwrite, _, _) = await Run("--checkpoint", FixturePaths.Fixture("tiny-llada"), "--output", output, "--overwrite", "--no-cache", "--quiet");
        Assert.Equal(0, overwrite);
    }

    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CommandLineApplication.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
