using System.ComponentModel;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using SkDiffusion.Extensions.AI;
using SkDiffusion.Sampling.Guidance;
using SkDiffusion.SemanticKernel.Guidance;
using SkDiffusion.SemanticKernel.Infilling;
using SkDiffusion.SemanticKernel.Plugins;
using SkDiffusion.SemanticKernel.Settings;

namespace SkDiffusion.Tests.SemanticKernel;

/// <summary>Reward guidance reached through IChatClient, the DI registration, the SK chat service and the plugin.</summary>
[Collection(TinyPackageCollection.Name)]
public sealed class RewardConnectorTests(TinyPackageFixture fixture)
{
    private static ChatOptions Blocks() => new()
    {
        Seed = 1,
        MaxOutputTokens = 8,
        AdditionalProperties = new() { ["steps"] = 8, ["block_length"] = 4, ["stop_at_eos"] = false },
    };

    private static ChatHistory User(string text)
    {
        var history = new ChatHistory();
        history.AddUserMessage(text);
        return history;
    }

    private static long Nfe(ChatResponse response) => response.Usage!.AdditionalCounts!["nfe"];

    [Fact]
    public async Task Chat_client_runs_block_rollouts_with_a_reward_from_chat_options()
    {
        using var client = new DiffusionChatClient(fixture.PackageDirectory);
        var plain = await client.GetResponseAsync("Hello", Blocks());
        var seen = new List<RewardText>();
        var guided = await client.GetResponseAsync("Hello", Blocks().WithReward(t => { seen.Add(t); return 1.0; }, candidates: 3));

        // Two blocks of four, three rollouts each: six completed blocks scored, three times the passes, and on tied
        // rewards rollout 0 (the unguided decoding) is kept.
        Assert.Equal(6, seen.Count);
        Assert.All(seen, t => Assert.Contains("Hello", t.Prompt));
        Assert.Equal(3 * Nfe(plain), Nfe(guided));
        Assert.Equal(plain.Text, guided.Text);
    }

    [Fact]
    public async Task Chat_client_reads_reward_settings_and_names()
    {
        using var client = new DiffusionChatClient(fixture.PackageDirectory);
        var scorer = new CountingScorer();
        var options = Blocks();
        options.AdditionalProperties!["reward"] = scorer;
        options.AdditionalProperties["reward_candidates"] = 2;
        options.AdditionalProperties["reward_mode"] = "step";
        var stepped = await client.GetResponseAsync("Hello", options);
        Assert.Equal(16, scorer.Calls); // two candidate commits at each of the eight steps
        Assert.Equal(8, Nfe(stepped)); // no extra passes per step

        var named = Blocks();
        named.AdditionalProperties!["reward"] = "copy";
        named.AdditionalProperties["reward_candidates"] = "2";
        Assert.Equal(16, Nfe(await client.GetResponseAsync("Hello", named)));

        var json = new ChatOptions { Seed = 2, ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse("""{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}""").RootElement) };
        var calls = 0;
        json.WithReward(t => { calls++; return 0; }, candidates: 2, mode: RewardMode.Block);
        var document = await client.GetResponseAsync("Give n", json);
        Assert.True(calls >= 2);
        using var parsed = JsonDocument.Parse(document.Text); // grammar decoding still holds under guidance
        Assert.Equal(JsonValueKind.Number, parsed.RootElement.GetProperty("n").ValueKind);
    }

    [Theory]
    [InlineData("reward_candidates", 2, "reward_candidates")]
    [InlineData("reward_mode", "block", "reward_mode")]
    [InlineData("reward", "nonsense", "reward")]
    [InlineData("reward", "regex", "reward")]
    [InlineData("reward", 42, "reward")]
    public async Task Bad_reward_settings_are_refused_naming_the_setting(string key, object value, string param)
    {
        using var client = new DiffusionChatClient(fixture.PackageDirectory);
        var options = Blocks();
        options.AdditionalProperties![key] = value;
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => client.GetResponseAsync("Hello", options));
        Assert.Equal(param, ex.ParamName);
    }

    [Theory]
    [InlineData("reward_candidates", 0)]
    [InlineData("reward_candidates", 65)]
    [InlineData("reward_mode", "sideways")]
    [InlineData("reward_temperature", -1.0)]
    public async Task Out_of_range_reward_settings_are_refused(string key, object value)
    {
        using var client = new DiffusionChatClient(fixture.PackageDirectory);
        var options = Blocks();
        options.AdditionalProperties!["reward"] = "copy";
        options.AdditionalProperties[key] = value;
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => client.GetResponseAsync("Hello", options));
        Assert.Equal(key, ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChatOptions().WithReward(new CopyFidelityReward(), candidates: 0));
    }

    [Fact]
    public async Task Registered_client_has_a_default_reward_that_a_request_can_replace()
    {
        var services = new ServiceCollection();
        var fallback = new CountingReward();
        services.AddDiffusionChatClient(fixture.PackageDirectory).UseDiffusionReward(fallback, candidates: 2);
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();

        var response = await client.GetResponseAsync("Hello", Blocks());
        Assert.Equal(4, fallback.Calls); // two blocks, two rollouts
        Assert.Equal(16, Nfe(response));

        var own = new CountingReward();
        await client.GetResponseAsync("Hello", Blocks().WithReward(own, candidates: 3));
        Assert.Equal(6, own.Calls);
        Assert.Equal(4, fallback.Calls); // the request with its own reward does not use the default
    }

    [Fact]
    public async Task Kernel_function_scores_candidates_through_the_sk_chat_service()
    {
        var checks = new Checks();
        var builder = Kernel.CreateBuilder().AddDiffusionChatCompletion(fixture.PackageDirectory);
        builder.Plugins.AddFromObject(checks, "checks");
        var kernel = builder.Build();
        var chat = kernel.GetRequiredService<IChatCompletionService>();
        var settings = new DiffusionPromptExecutionSettings { AnswerLength = 8, Steps = 8, BlockLength = 4, StopAtEos = false, Seed = 1, Reward = "checks.score", RewardCandidates = 2 };

        var answer = await chat.GetChatMessageContentAsync(User("Hello"), settings, kernel);
        Assert.NotNull(answer.Content);
        Assert.Equal(4, checks.Calls);

        settings = new DiffusionPromptExecutionSettings { AnswerLength = 8, Steps = 8, Reward = "checks.missing" };
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => chat.GetChatMessageContentAsync(User("Hello"), settings, kernel));
        Assert.Equal("reward", ex.ParamName);
    }

    [Fact]
    public async Task Plugin_functions_take_a_verifier_by_name()
    {
        var checks = new Checks();
        var builder = Kernel.CreateBuilder().AddDiffusionInfilling(fixture.PackageDirectory);
        var kernel = builder.Build();
        kernel.Plugins.AddFromObject(checks, "checks");
        kernel.Plugins.AddFromObject(DiffusionPlugin.Create(kernel.GetRequiredService<DiffusionInfillingService>()), "diffusion");

        var filled = await kernel.InvokeAsync("diffusion", "fill_template", new KernelArguments
        {
            ["instruction"] = "Ann is 41",
            ["template"] = "Age: {{age:int(2)}}",
            ["reward"] = "checks.score",
        });
        Assert.Contains("Age: ", filled.GetValue<string>());
        Assert.True(checks.Calls >= 4); // the default four candidates, per block of the template canvas

        var infilled = await kernel.InvokeAsync("diffusion", "infill", new KernelArguments { ["document"] = "One [[MASK:1]] three.", ["reward"] = "regex", ["pattern"] = "One [a-z]+ three\\." });
        Assert.StartsWith("One ", infilled.GetValue<string>());
        await Assert.ThrowsAnyAsync<ArgumentException>(() => kernel.InvokeAsync("diffusion", "infill", new KernelArguments { ["document"] = "One [[MASK:1]] three.", ["reward"] = "checks.nothing" }));
    }

    [Fact]
    public async Task Kernel_function_reward_must_return_a_number()
    {
        var kernel = new Kernel();
        var reward = new KernelFunctionReward(kernel, KernelFunctionFactory.CreateFromMethod((string answer) => answer.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), "length"));
        Assert.Equal(3, await reward.ScoreAsync(RewardText.Complete("p", "abc"), CancellationToken.None));
        var bad = new KernelFunctionReward(kernel, KernelFunctionFactory.CreateFromMethod(() => "many", "words"));
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => bad.ScoreAsync(RewardText.Complete("p", "abc"), CancellationToken.None).AsTask());
        Assert.Contains("finite number", ex.Message);
    }

    private sealed class CountingScorer : IRewardScorer
    {
        public int Calls { get; private set; }

        public ValueTask<double> ScoreAsync(RewardCandidate candidate, CancellationToken cancellationToken)
        {
            Calls++;
            return ValueTask.FromResult((double)candidate.CandidateIndex);
        }
    }

    private sealed class CountingReward : TextReward
    {
        public int Calls { get; private set; }

        public override string Name => "counting";

        public override double Score(RewardText text)
        {
            Calls++;
            return 0;
        }
    }

    private sealed class Checks
    {
        public int Calls { get; private set; }

        public List<string> Answers { get; } = [];

        [KernelFunction("score")]
        [Description("Scores an answer.")]
        public double Score(string answer, bool complete)
        {
            Calls++;
            Answers.Add(answer);
            return complete ? answer.Length : 0;
        }
    }
}
