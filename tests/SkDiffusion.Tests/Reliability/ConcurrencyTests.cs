using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using SkDiffusion.Extensions.AI;
using SkDiffusion.SemanticKernel.Settings;
using SkDiffusion.Tests.Equivalence;

namespace SkDiffusion.Tests.Reliability;

/// <summary>
/// 32 concurrent requests with different prompts and seeds at ONE service instance on the embedded model: each answer
/// equals the same request run alone (sequentially, one generation at a time).
/// </summary>
public sealed class ConcurrencyTests(EmbeddedModelFixture model) : IClassFixture<EmbeddedModelFixture>
{
    private const int Requests = 32;

    private static readonly string[] Topics = ["France", "a cat", "the sea", "numbers", "Paris", "a robot", "rain", "music"];

    private static ChatOptions Options(int i) => new()
    {
        MaxOutputTokens = 8,
        Seed = 1000 + i,
        Temperature = 0.8f,
        AdditionalProperties = new() { ["steps"] = 4, ["max_degree_of_parallelism"] = 1 + (i % 2) },
    };

    private static string Prompt(int i) => $"Tell me about {Topics[i % Topics.Length]} in {1 + (i / Topics.Length)} words.";

    [Fact]
    public async Task Concurrent_chat_client_requests_equal_their_sequential_results()
    {
        using var sequentialClient = new DiffusionChatClient(DiffusionModel.Create(model.Package, model.Denoiser, maxConcurrentRequests: 1));
        var sequential = new string[Requests];
        var sequentialNfe = new long[Requests];
        for (int i = 0; i < Requests; i++)
        {
            var r = await sequentialClient.GetResponseAsync(Prompt(i), Options(i));
            (sequential[i], sequentialNfe[i]) = (r.Text, r.Usage!.AdditionalCounts!["nfe"]);
        }

        // Different seeds give different answers somewhere, so the comparison below can fail if requests mixed up state.
        Assert.True(sequential.Distinct().Count() > 1);

        using var shared = new DiffusionChatClient(DiffusionModel.Create(model.Package, model.Denoiser, maxConcurrentRequests: 8));
        using var start = new ManualResetEventSlim(false);
        var tasks = Enumerable.Range(0, Requests).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await shared.GetResponseAsync(Prompt(i), Options(i));
        })).ToArray();
        start.Set();
        ChatResponse[] concurrent = await Task.WhenAll(tasks);

        for (int i = 0; i < Requests; i++)
        {
            Assert.Equal(sequential[i], concurrent[i].Text);
            Assert.Equal(sequentialNfe[i], concurrent[i].Usage!.AdditionalCounts!["nfe"]);
        }
    }

    [Fact]
    public async Task Concurrent_semantic_kernel_requests_equal_their_sequential_results()
    {
        const int count = 16;
        var service = new DiffusionChatClient(DiffusionModel.Create(model.Package, model.Denoiser, maxConcurrentRequests: 4)).AsChatCompletionService();
        static ChatHistory History(int i) => new([new Microsoft.SemanticKernel.ChatMessageContent(AuthorRole.User, Prompt(i))]);
        static DiffusionPromptExecutionSettings Settings(int i) => new() { AnswerLength = 6, Steps = 3, Seed = 7 + i, Temperature = 0.9 };

        var sequential = new string?[count];
        for (int i = 0; i < count; i++)
        {
            sequential[i] = (await service.GetChatMessageContentsAsync(History(i), Settings(i)))[0].Content;
        }

        var concurrent = await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(() => service.GetChatMessageContentsAsync(History(i), Settings(i)))));

        Assert.True(sequential.Distinct().Count() > 1);
        Assert.Equal(sequential, concurrent.Select(c => c[0].Content));
    }
}
