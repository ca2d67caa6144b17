using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Remasking;
using SkDiffusion.Sampling.Scoring;
using SkDiffusion.Sampling.Selection;

namespace SkDiffusion.Tests.Reliability;

/// <summary>
/// Invalid <see cref="SamplerOptions"/>: <see cref="SamplerOptions.Validate"/> (which every <c>SampleAsync</c> runs
/// first) throws the exact argument exception type, names the property in <see cref="ArgumentException.ParamName"/>
/// and says what range is allowed.
/// </summary>
public sealed class BadSamplerOptionsCases
{
    /// <summary>(case name, options, expected exception type, parameter name, message fragment).</summary>
    public static TheoryData<string, Func<SamplerOptions>, Type, string, string> Cases => new()
    {
        { "threshold 0", () => new() { Selection = SelectionRule.Threshold, Threshold = 0 }, typeof(ArgumentOutOfRangeException), "Threshold", "(0, 1]" },
        { "threshold negative", () => new() { Threshold = -0.5 }, typeof(ArgumentOutOfRangeException), "Threshold", "(0, 1]" },
        { "threshold above 1", () => new() { Threshold = 1.0001 }, typeof(ArgumentOutOfRangeException), "Threshold", "(0, 1]" },
        { "threshold NaN", () => new() { Threshold = double.NaN }, typeof(ArgumentOutOfRangeException), "Threshold", "(0, 1]" },
        { "steps 0", () => new() { Steps = 0 }, typeof(ArgumentOutOfRangeException), "Steps", "at least 1" },
        { "steps negative", () => new() { Steps = -7 }, typeof(ArgumentOutOfRangeException), "Steps", "at least 1" },
        { "block length 0", () => new() { BlockLength = 0 }, typeof(ArgumentOutOfRangeException), "BlockLength", "at least 1" },
        { "block length negative", () => new() { BlockLength = -4 }, typeof(ArgumentOutOfRangeException), "BlockLength", "at least 1" },
        { "factor 0", () => new() { Factor = 0 }, typeof(ArgumentOutOfRangeException), "Factor", "above 0" },
        { "factor infinite", () => new() { Factor = double.PositiveInfinity }, typeof(ArgumentOutOfRangeException), "Factor", "finite" },
        { "temperature negative", () => new() { Temperature = -1 }, typeof(ArgumentOutOfRangeException), "Temperature", "0 (greedy)" },
        { "temperature NaN", () => new() { Temperature = double.NaN }, typeof(ArgumentOutOfRangeException), "Temperature", "finite" },
        { "top-k 0", () => new() { TopK = 0 }, typeof(ArgumentOutOfRangeException), "TopK", "at least 1" },
        { "top-p 0", () => new() { TopP = 0 }, typeof(ArgumentOutOfRangeException), "TopP", "(0, 1]" },
        { "top-p above 1", () => new() { TopP = 1.5 }, typeof(ArgumentOutOfRangeException), "TopP", "(0, 1]" },
        { "cfg scale negative", () => new() { CfgScale = -2 }, typeof(ArgumentOutOfRangeException), "CfgScale", "finite positive" },
        { "parallelism 0", () => new() { MaxDegreeOfParallelism = 0 }, typeof(ArgumentOutOfRangeException), "MaxDegreeOfParallelism", "at least 1" },
        { "schedule null", () => new() { Schedule = null! }, typeof(ArgumentException), "Schedule", "Schedule is null" },
        { "position temperature with threshold", () => new() { Selection = SelectionRule.Threshold, PositionTemperature = 0.5 }, typeof(ArgumentException), "PositionTemperature", "no meaning" },
        { "negative entropy with threshold", () => new() { Selection = SelectionRule.Threshold, Score = ScoreKind.NegativeEntropy }, typeof(ArgumentException), "Score", "never pass" },
        { "remasking with threshold", () => new() { Selection = SelectionRule.Threshold, Remasking = new RemaskingOptions { Strategy = RemaskingStrategy.Cap } }, typeof(ArgumentException), "Remasking", "Selection = Schedule" },
        { "remasking eta above 1", () => new() { Remasking = new RemaskingOptions { Strategy = RemaskingStrategy.Cap, Eta = 2 } }, typeof(ArgumentOutOfRangeException), "Remasking", "[0, 1]" },
        { "cache without blocks", () => new() { CacheMode = CacheMode.Prefix }, typeof(ArgumentException), "CacheMode", "needs BlockLength" },
        { "unknown selection value", () => new() { Selection = (SelectionRule)42 }, typeof(ArgumentOutOfRangeException), "Selection", "Unknown selection" },
        { "null logit processor", () => { var o = new SamplerOptions(); o.LogitProcessors.Add(null!); return o; }, typeof(ArgumentException), "LogitProcessors", "null entry" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_refused_naming_the_option(string name, Func<SamplerOptions> options, Type exceptionType, string paramName, string fragment)
    {
        var ex = Assert.Throws(exceptionType, () => options().Validate());

        var argument = Assert.IsAssignableFrom<ArgumentException>(ex);
        Assert.Equal(paramName, argument.ParamName);
        Assert.True(ex.Message.Contains(fragment, StringComparison.Ordinal), $"{name}: '{ex.Message}' lacks '{fragment}'");
    }
}
