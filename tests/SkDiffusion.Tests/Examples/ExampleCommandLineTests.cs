using System.CommandLine;
using SkDiffusion.Benchmarks;
using SkDiffusion.Evaluation;
using SkDiffusion.Examples.Shared;

namespace SkDiffusion.Tests.Examples;

/// <summary>The Evaluation and Benchmarks command lines: typed values, defaults, and usage errors with exit code 2.</summary>
public sealed class ExampleCommandLineTests
{
    [Fact]
    public void EvaluationDefaultsWhenNoArguments()
    {
        ParseResult parsed = EvaluationCommandLine.Command.Parse([]);
        Assert.Empty(parsed.Errors);
        Assert.Equal(100, parsed.GetValue(EvaluationCommandLine.Limit));
        Assert.Equal(0, parsed.GetValue(EvaluationCommandLine.Failures));
        Assert.False(parsed.GetValue(EvaluationCommandLine.Table));
        Assert.Null(parsed.GetValue(EvaluationCommandLine.Package));
        Assert.Null(Handle(parsed, out _, out _));
    }

    [Fact]
    public void EvaluationReadsTypedValues()
    {
        ParseResult parsed = EvaluationCommandLine.Command.Parse(["--limit", "7", "--failures", "3", "--table", "--package", Path.GetTempPath()]);
        Assert.Empty(parsed.Errors);
        Assert.Equal(7, parsed.GetValue(EvaluationCommandLine.Limit));
        Assert.Equal(3, parsed.GetValue(EvaluationCommandLine.Failures));
        Assert.True(parsed.GetValue(EvaluationCommandLine.Table));
        Assert.Equal(Path.GetTempPath(), parsed.GetValue(EvaluationCommandLine.Package));
    }

    [Theory]
    [InlineData("--limit=abc", "--limit must be an integer of at least 1, not 'abc'")]
    [InlineData("--limit=0", "--limit must be an integer of at least 1, not '0'")]
    [InlineData("--failures=-1", "--failures must be an integer of at least 0, not '-1'")]
    [InlineData("--bogus", "'--bogus'")]
    [InlineData("--heldout=/no/such/heldout.jsonl", "--heldout: file '/no/such/heldout.jsonl' not found")]
    [InlineData("--package=/no/such/folder", "--package: folder '/no/such/folder' not found")]
    public void EvaluationBadInputIsUsageErrorNamingTheOption(string arg, string expected)
    {
        int? code = Handle(EvaluationCommandLine.Command.Parse([arg]), out _, out string error);
        Assert.Equal(ExampleCommandLine.UsageError, code);
        Assert.StartsWith("error: ", error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void HelpListsOptionsAndExitsZero()
    {
        int? code = Handle(EvaluationCommandLine.Command.Parse(["--help"]), out string output, out string error);
        Assert.Equal(0, code);
        Assert.Contains("--limit", output);
        Assert.Contains("--heldout", output);
        Assert.Empty(error);
    }

    [Fact]
    public void BenchmarksDefaultsAndLists()
    {
        ParseResult parsed = BenchmarkCommandLine.Command.Parse(["--scaling", "--lengths", "16, 32,64", "--hidden", "128"]);
        Assert.Empty(parsed.Errors);
        Assert.True(parsed.GetValue(BenchmarkCommandLine.Scaling));
        Assert.Equal([16, 32, 64], parsed.GetValue(BenchmarkCommandLine.Lengths)!);
        Assert.Equal(128, parsed.GetValue(BenchmarkCommandLine.Hidden));
        Assert.Equal(12, parsed.GetValue(BenchmarkCommandLine.Layers));
        Assert.Null(parsed.GetValue(BenchmarkCommandLine.Repeats));
        Assert.Equal(1, parsed.GetValue(BenchmarkCommandLine.Threads));
        Assert.Equal(30, BenchmarkCommandLine.Command.Parse([]).GetValue(BenchmarkCommandLine.Limit));
        Assert.Equal(0, BenchmarkCommandLine.Command.Parse(["--threads", "0"]).GetValue(BenchmarkCommandLine.Threads));
    }

    [Theory]
    [InlineData("--grammar --scaling", "give at most one")]
    [InlineData("--hidden 100", "--hidden must be a multiple of 64")]
    [InlineData("--lengths 64,x", "--lengths must be a comma-separated list of positive integers, not '64,x'")]
    [InlineData("--lengths 64,0", "--lengths must be a comma-separated list of positive integers")]
    [InlineData("--threads -1", "--threads must be an integer of at least 0")]
    [InlineData("--repeats 0", "--repeats must be an integer of at least 1, not '0'")]
    [InlineData("--limit", "--limit")]
    public void BenchmarksBadInputIsUsageError(string line, string expected)
    {
        int? code = Handle(BenchmarkCommandLine.Command.Parse(line.Split(' ')), out _, out string error);
        Assert.Equal(ExampleCommandLine.UsageError, code);
        Assert.Contains(expected, error);
    }

    private static int? Handle(ParseResult parsed, out string output, out string error)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int? code = ExampleCommandLine.Handle(parsed, o, e);
        output = o.ToString();
        error = e.ToString();
        return code;
    }
}
