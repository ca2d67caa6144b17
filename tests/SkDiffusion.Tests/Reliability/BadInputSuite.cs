using SkDiffusion.Tests.TestSupport;
using Xunit.Abstractions;

namespace SkDiffusion.Tests.Reliability;

/// <summary>
/// The counted bad-input suite: every row of <c>Reliability/bad-inputs.json</c> must be refused with exactly the listed
/// exception type and a message holding the listed fragment, within a hang guard; <c>handled</c> rows must return a
/// result that holds the fragment (e.g. no mask left). A row that hangs, returns silently or throws anything else fails.
/// </summary>
[Collection(TinyPackageCollection.Name)]
public sealed class BadInputSuite(TinyPackages packages, ITestOutputHelper output)
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    /// <summary>The case indexes (the case itself is read from the data file by index).</summary>
    public static TheoryData<int, string> Cases
    {
        get
        {
            var data = new TheoryData<int, string>();
            for (int i = 0; i < BadInputCase.Cases.Count; i++)
            {
                data.Add(i, BadInputCase.Cases[i].ToString());
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Is_refused_clearly(int index, string name)
    {
        BadInputCase c = BadInputCase.Cases[index];
        Task<string> run = Task.Run(() => BadInputRunner.RunAsync(c, packages));
        Exception? thrown = null;
        string? result = null;
        try
        {
            result = await run.WaitAsync(HangGuard);
        }
        catch (TimeoutException) when (!run.IsCompleted)
        {
            Assert.Fail($"{name}: hung for more than {HangGuard.TotalSeconds} s.");
        }
        catch (Exception ex)
        {
            thrown = ex;
        }

        if (c.Expect == "handled")
        {
            Assert.True(thrown is null, $"{name}: expected to be handled, threw {thrown?.GetType().Name}: {thrown?.Message}");
            Assert.True(result!.Contains(c.Fragment, StringComparison.Ordinal), $"{name}: result '{result}' lacks '{c.Fragment}'");
            return;
        }

        Assert.True(thrown is not null, $"{name}: returned '{result}' instead of throwing {c.Expect}.");
        Assert.True(thrown!.GetType().Name == c.Expect, $"{name}: threw {thrown.GetType().Name} ({thrown.Message}), expected {c.Expect}.");
        Assert.True(thrown.Message.Contains(c.Fragment, StringComparison.Ordinal), $"{name}: '{thrown.Message}' lacks '{c.Fragment}'.");
        output.WriteLine($"{name}: {thrown.GetType().Name}: {thrown.Message}");
    }

    [Fact]
    public void The_data_file_is_well_formed_and_counted()
    {
        var cases = BadInputCase.Cases;
        Assert.Equal(cases.Count, cases.Select(c => c.ToString()).Distinct().Count());
        Assert.All(cases, c => Assert.False(string.IsNullOrWhiteSpace(c.Fragment), $"{c}: no message fragment"));
        string[] areas = ["packages", "tokenizer", "sampler-options", "sampler-run", "canvas", "templates", "denoiser"];
        Assert.All(cases, c => Assert.Contains(c.Area, areas));
        foreach (var group in cases.GroupBy(c => c.Area))
        {
            output.WriteLine($"{group.Key}: {group.Count()} ({group.Count(c => c.Expect == "handled")} handled)");
            Assert.True(group.Count() >= 10, $"area {group.Key} has only {group.Count()} cases");
        }

        output.WriteLine($"total: {cases.Count}");
        Assert.True(cases.Count >= 200, $"only {cases.Count} cases");
    }
}
