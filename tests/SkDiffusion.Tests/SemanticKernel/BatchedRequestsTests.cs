using Microsoft.Extensions.AI;
using SkDiffusion.Denoising;
using SkDiffusion.Extensions.AI;

namespace SkDiffusion.Tests.SemanticKernel;

/// <summary><see cref="DiffusionModelOptions.BatchConcurrentRequests"/>: concurrent chat requests share denoiser runs.</summary>
[Collection(TinyPackageCollection.Name)]
public class BatchedRequestsTests(TinyPackageFixture fixture)
{
    [Fact]
    public async Task ConcurrentRequestsOnABatchingModelAnswerAsOnePlainModelDoes()
    {
        var cpu = new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 };
        using var batched = new DiffusionChatClient(DiffusionModel.Load(fixture.PackageDirectory, new DiffusionModelOptions { Denoiser = cpu, MaxConcurrentRequests = 8, BatchConcurrentRequests = true }));
        using var plain = new DiffusionChatClient(DiffusionModel.Load(fixture.PackageDirectory, new DiffusionModelOptions { Denoiser = cpu }));
        var batching = Assert.IsType<BatchingDenoiser>(batched.Model.Denoiser);
        string[] prompts = ["Hello", "What is the capital?", "Extract JSON: Ana", "Hi there, who are you?", "x", "Tell me more about it"];
        ChatOptions Options() => new() { MaxOutputTokens = 10, Seed = 3, AdditionalProperties = new() { ["stop_at_eos"] = false } };

        var expected = new List<string>();
        foreach (string prompt in prompts)
        {
            expected.Add((await plain.GetResponseAsync(prompt, Options())).Text);
        }

        var responses = await Task.WhenAll(prompts.Select(p => Task.Run(() => batched.GetResponseAsync(p, Options()))));
        Assert.Equal(expected, responses.Select(r => r.Text));
        Assert.True(batching.Runs >= 10, $"{batching.Runs} runs");
    }
}
