using SkDiffusion.ModelBuilder;
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
    [InlineData("--checkpoint", "a", "--output", "b", "--context-length", "lots")]
    [InlineData("--checkpoint", "a", "--output", "b", "--fp16-compute")]
    public async Task BadArgumentsExitWithOneLine(params string[] args)
    {
        var (code, _, error) = await Run(args);
        Assert.Equal(CommandLineApplication.UsageError, code);
        Assert.StartsWith("error: ", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("--precision=fp8", "--precision must be fp32, fp16 or int4, not 'fp8'.")]
    [InlineData("--context-length=0", "--context-length must be a positive integer, not '0'.")]
    [InlineData("--fp16-compute", "--fp16-compute needs --precision fp16.")]
    [InlineData("--bogus", "'--bogus'")]
    public void ParseErrorNamesTheOption(string extra, string expected)
    {
        var parsed = CommandLineParser.Parse(["--checkpoint", "a", "--output", "b", extra]);
        Assert.Contains(parsed.Errors, e => e.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void MissingRequiredOptionsAreNamed()
    {
        var messages = string.Join(" ", CommandLineParser.Parse([]).Errors.Select(e => e.Message));
        Assert.Contains("--checkpoint", messages);
        Assert.Contains("--output", messages);
    }

    [Fact]
    public void ParsedOptionsMapOntoBuildOptions()
    {
        var parsed = CommandLineParser.Parse(["--checkpoint", "ckpt", "-o", "out", "--precision", "FP16", "--fp16-compute", "--no-cache", "--all-logits", "--name", "n", "--context-length", "96", "--overwrite"]);
        Assert.Empty(parsed.Errors);
        var options = CommandLineParser.ToOptions(parsed);
        Assert.Equal("ckpt", options.CheckpointDirectory);
        Assert.Equal("out", options.OutputDirectory);
        Assert.Equal(ModelPrecision.Float16, options.Precision);
        Assert.True(options.ComputeInFloat16);
        Assert.False(options.IncludeCache);
        Assert.False(options.LogitsPositions);
        Assert.Equal("n", options.Name);
        Assert.Equal(96, options.ContextLength);
        Assert.True(options.Overwrite);
        Assert.False(CommandLineParser.ToOptions(CommandLineParser.Parse(["--checkpoint", "c", "--output", "o", "--unfused"])).FusedGraph);

        var defaults = CommandLineParser.ToOptions(CommandLineParser.Parse(["--checkpoint", "c", "--output", "o"]));
        Assert.Equal(ModelPrecision.Float32, defaults.Precision);
        Assert.True(defaults.IncludeCache);
        Assert.True(defaults.LogitsPositions);
        Assert.Null(defaults.ContextLength);
        Assert.Null(defaults.Name);
        Assert.False(defaults.Overwrite);
        Assert.True(defaults.FusedGraph);
    }

    [Fact]
    public async Task UserErrorIsOneLineWithoutStackTrace()
    {
        using var temp = new TempDirectory();
        var (code, _, error) = await Run("--checkpoint", temp.Combine("nope"), "--output", temp.Combine("out"));
        Assert.Equal(CommandLineApplication.BuildFailed, code);
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
