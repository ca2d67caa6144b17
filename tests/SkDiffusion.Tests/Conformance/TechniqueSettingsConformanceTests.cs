using Microsoft.Extensions.AI;
using SkDiffusion.Extensions.AI;
using SkDiffusion.Sampling;

namespace SkDiffusion.Tests.Conformance;

/// <summary>
/// The delayed cache (dKV-Cache), the adaptive cache (dLLM-Cache) and entropy-bounded selection (EB-Sampler) chosen
/// through <see cref="IChatClient"/> settings on the embedded model: they decode every position, repeat exactly, and
/// report their forward passes. Contracts only, not a model answer.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class TechniqueSettingsConformanceTests(EmbeddedChatFixture fixture)
{
    private const string Prompt = "Who are you?";
    private const int Answer = 16;

    /// <summary>A client over the fixture's ONNX denoiser itself (the caches need its key/value support).</summary>
    private DiffusionChatClient Client() => new(DiffusionModel.Create(fixture.Package, fixture.Denoiser, ownsDenoiser: false));

    private static ChatOptions Options(params (string Key, object Value)[] settings)
    {
        var options = new ChatOptions { MaxOutputTokens = Answer, Seed = 5, AdditionalProperties = new() { ["steps"] = 16, ["block_length"] = 8, ["stop_at_eos"] = false } };
        foreach (var (key, value) in settings)
        {
            options.AdditionalProperties[key] = value;
        }

        return options;
    }

    public static TheoryData<string, string, object, string?, object?> Techniques => new()
    {
        { "delayed cache", "cache", "delayed", "cache_refresh_interval", 4 },
        { "adaptive cache", "cache", "adaptive", "cache_response_fraction", 0.25 },
        { "adaptive cache, prompt interval", "cache", "adaptive", "cache_prompt_interval", 6 },
        { "entropy-bounded selection", "selection", "entropy_bounded", "entropy_bound", 0.5 },
    };

    [Theory]
    [MemberData(nameof(Techniques))]
    public async Task Each_technique_decodes_every_position_repeats_and_reports_its_passes(string name, string key, object value, string? extraKey, object? extraValue)
    {
        using var client = Client();
        var options = extraKey is null ? Options((key, value)) : Options((key, value), (extraKey, extraValue!));
        var first = await client.GetResponseAsync(Prompt, options);
        var second = await client.GetResponseAsync(Prompt, options);

        var raw = Assert.IsType<SamplingResult>(first.RawRepresentation);
        int mask = fixture.Package.Manifest.TokenIds.Mask;
        Assert.DoesNotContain(mask, raw.Sequences[0].Tokens);
        Assert.NotEqual(FinishReason.Cancelled, raw.Sequences[0].FinishReason);
        long nfe = first.Usage!.AdditionalCounts!["nfe"];
        Assert.Equal(raw.Nfe, nfe);
        Assert.InRange(nfe, 2, Answer);
        Assert.True(first.Text == second.Text, $"{name}: '{first.Text}' then '{second.Text}'");
        Assert.Equal(nfe, second.Usage!.AdditionalCounts!["nfe"]);
    }

    [Fact]
    public async Task A_refresh_at_every_call_gives_the_uncached_answer()
    {
        // Interval 1 makes every delayed-cache call a full pass; prompt interval 1 does the same for the adaptive
        // cache: both must reproduce the uncached tokens, so the settings reach the sampler's cache options.
        using var client = Client();
        var plain = Assert.IsType<SamplingResult>((await client.GetResponseAsync(Prompt, Options())).RawRepresentation);
        var delayed = Assert.IsType<SamplingResult>((await client.GetResponseAsync(Prompt, Options(("cache", "delayed"), ("cache_refresh_interval", 1)))).RawRepresentation);
        var adaptive = Assert.IsType<SamplingResult>((await client.GetResponseAsync(Prompt, Options(("cache", "adaptive"), ("cache_prompt_interval", 1)))).RawRepresentation);
        Assert.Equal(plain.Sequences[0].Tokens, delayed.Sequences[0].Tokens);
        Assert.Equal(plain.Sequences[0].Tokens, adaptive.Sequences[0].Tokens);
        Assert.Equal(plain.Nfe, delayed.Nfe);
        Assert.Equal(plain.Nfe, adaptive.Nfe);
    }

    [Fact]
    public async Task The_entropy_bound_sets_how_much_a_step_commits()
    {
        // An unbounded γ commits each block in one pass (2 blocks of 8); γ = 0 commits one uncertain position at a time.
        using var client = Client();
        var loose = await client.GetResponseAsync(Prompt, Options(("selection", "entropy_bounded"), ("entropy_bound", 1e6)));
        var strict = await client.GetResponseAsync(Prompt, Options(("selection", "entropy_bounded"), ("entropy_bound", 0)));
        Assert.Equal(2, loose.Usage!.AdditionalCounts!["nfe"]);
        Assert.True(strict.Usage!.AdditionalCounts!["nfe"] > 2, $"γ = 0 took {strict.Usage.AdditionalCounts["nfe"]} passes");
    }

    [Fact]
    public async Task A_technique_setting_without_its_technique_is_refused_by_name()
    {
        using var client = Client();
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync(Prompt, Options(("cache_response_fraction", 0.5))));
        Assert.Equal("cache_response_fraction", ex.ParamName);
        Assert.Contains("adaptive", ex.Message, StringComparison.Ordinal);
        var bad = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetResponseAsync(Prompt, Options(("cache", "delayed"), ("cache_refresh_interval", 0))));
        Assert.Equal("cache_refresh_interval", bad.ParamName);
    }
}
