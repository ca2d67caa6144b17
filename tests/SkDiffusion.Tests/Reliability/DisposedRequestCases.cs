using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.AI;
using SkDiffusion.Denoising;
using SkDiffusion.Extensions.AI;
using SkDiffusion.SemanticKernel.Chat;
using SkDiffusion.Tests.SemanticKernel;

namespace SkDiffusion.Tests.Reliability;

/// <summary>
/// Requests after disposal: refused with an <see cref="ObjectDisposedException"/> naming what was disposed (the client
/// or the model), before any denoiser call; requests waiting for a generation slot are woken and refused.
/// </summary>
[Collection(TinyPackageCollection.Name)]
public sealed class DisposedRequestCases(TinyPackageFixture fixture)
{
    private static readonly OnnxDenoiserOptions Cpu = new() { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 };

    /// <summary>(case name, what is disposed: <c>client</c> or <c>model</c>, request kind, expected object name).</summary>
    public static TheoryData<string, string, string, string> Cases => new()
    {
        { "client disposed, response", "client", "response", nameof(DiffusionChatClient) },
        { "client disposed, streaming", "client", "streaming", nameof(DiffusionChatClient) },
        { "client disposed, JSON answer", "client", "json", nameof(DiffusionChatClient) },
        { "model disposed, response", "model", "response", nameof(DiffusionModel) },
        { "model disposed, streaming", "model", "streaming", nameof(DiffusionModel) },
        { "model disposed, JSON answer", "model", "json", nameof(DiffusionModel) },
        { "model disposed, text generation service", "model", "text-generation", nameof(DiffusionModel) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Is_refused_naming_what_was_disposed(string name, string disposed, string kind, string objectName)
    {
        var counting = new CountingDenoiser(OnnxDenoiser.Create(fixture.Package, Cpu));
        var model = DiffusionModel.Create(fixture.Package, counting, ownsDenoiser: true);
        var client = new DiffusionChatClient(model);
        if (disposed == "client")
        {
            client.Dispose();
        }
        else
        {
            model.Dispose();
        }

        var ex = await Assert.ThrowsAsync<ObjectDisposedException>(() => Request(client, model, kind));

        Assert.True(objectName == ex.ObjectName, $"{name}: ObjectName is '{ex.ObjectName}' ({ex.Message})");
        Assert.Contains("disposed", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, counting.Calls);
        model.Dispose();
    }

    [Fact]
    public async Task A_request_waiting_for_a_slot_is_woken_and_refused_and_the_gate_is_released()
    {
        var counting = new CountingDenoiser(OnnxDenoiser.Create(fixture.Package, Cpu));
        var model = DiffusionModel.Create(fixture.Package, counting, ownsDenoiser: true);
        using var client = new DiffusionChatClient(model);
        var held = await model.AcquireAsync(CancellationToken.None);
        var waiting = client.GetResponseAsync("Hi", new ChatOptions { MaxOutputTokens = 4 });
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        model.Dispose();

        var ex = await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(nameof(DiffusionModel), ex.ObjectName);
        held.Dispose();
        var gate = (SemaphoreSlim)typeof(DiffusionModel).GetField("_gate", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(model)!;
        Assert.Throws<ObjectDisposedException>(() => gate.AvailableWaitHandle);
        Assert.Equal(0, counting.Calls);
    }

    [Fact]
    public async Task Disposing_a_client_over_a_shared_model_leaves_the_model_open()
    {
        using var model = DiffusionModel.Create(fixture.Package, OnnxDenoiser.Create(fixture.Package, Cpu), ownsDenoiser: true);
        new DiffusionChatClient(model).Dispose();

        using var other = new DiffusionChatClient(model);
        var response = await other.GetResponseAsync("Hi", new ChatOptions { MaxOutputTokens = 2, Seed = 1, AdditionalProperties = new() { ["steps"] = 2 } });

        Assert.InRange(response.Usage!.OutputTokenCount!.Value, 0, 2);
    }

    private static async Task Request(DiffusionChatClient client, DiffusionModel model, string kind)
    {
        var options = new ChatOptions { MaxOutputTokens = 4, Seed = 1 };
        switch (kind)
        {
            case "response":
                await client.GetResponseAsync("Hi", options);
                break;
            case "streaming":
                await foreach (var _ in client.GetStreamingResponseAsync("Hi", options))
                {
                }

                break;
            case "json":
                var schema = JsonDocument.Parse("""{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}""").RootElement;
                await client.GetResponseAsync("Hi", new ChatOptions { Seed = 1, ResponseFormat = ChatResponseFormat.ForJsonSchema(schema) });
                break;
            default:
                await DiffusionTextGenerationService.Create(model).GetTextContentsAsync("Hi");
                break;
        }
    }
}
