using Microsoft.Extensions.AI;
using SkDiffusion.Denoising;
using SkDiffusion.Extensions.AI;

namespace SkDiffusion.Tests.SemanticKernel;

[Collection(TinyPackageCollection.Name)]
public class ToolCallTests(TinyPackageFixture fixture)
{
    private DiffusionChatClient Client() => new DiffusionChatClient(DiffusionModel.Create(fixture.Package, OnnxDenoiser.Create(fixture.Package), ownsDenoiser: true));

    [Fact]
    public async Task A_required_tool_mode_answers_with_a_typed_function_call()
    {
        using var client = Client();
        var tool = AIFunctionFactory.Create((int count, bool loud) => $"{count}:{loud}", "shout");
        var response = await client.GetResponseAsync("Go", new ChatOptions { Tools = [tool], ToolMode = ChatToolMode.RequireAny });
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal("shout", call.Name);
        Assert.Equal(System.Text.Json.JsonValueKind.Number, Assert.IsType<System.Text.Json.JsonElement>(call.Arguments!["count"]).ValueKind);
        Assert.Contains(Assert.IsType<System.Text.Json.JsonElement>(call.Arguments["loud"]).ValueKind, new[] { System.Text.Json.JsonValueKind.True, System.Text.Json.JsonValueKind.False });
    }

    [Fact]
    public async Task Several_tools_are_picked_by_name_and_auto_mode_decides()
    {
        using var client = Client();
        AITool[] tools = [AIFunctionFactory.Create(() => "a", "alpha"), AIFunctionFactory.Create(() => "b", "beta")];
        var response = await client.GetResponseAsync("Go", new ChatOptions { Tools = tools, ToolMode = ChatToolMode.RequireAny });
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Contains(call.Name, new[] { "alpha", "beta" });

        var specific = await client.GetResponseAsync("Go", new ChatOptions { Tools = tools, ToolMode = ChatToolMode.RequireSpecific("beta") });
        Assert.Equal("beta", specific.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Single().Name);

        var missing = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("Go", new ChatOptions { Tools = tools, ToolMode = ChatToolMode.RequireSpecific("gamma") }));
        Assert.Contains("gamma", missing.Message);

        var auto = await client.GetResponseAsync("Go", new ChatOptions { Tools = tools, ToolMode = ChatToolMode.Auto, MaxOutputTokens = 4 });
        var autoCalls = auto.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(autoCalls.Count == 1 ? ChatFinishReason.ToolCalls : auto.FinishReason, auto.FinishReason);
        Assert.All(autoCalls, c => Assert.Contains(c.Name, new[] { "alpha", "beta" }));

        var none = await client.GetResponseAsync("Go", new ChatOptions { Tools = tools, ToolMode = ChatToolMode.None, MaxOutputTokens = 4 });
        Assert.Empty(none.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
    }

    [Fact]
    public async Task The_function_invoking_client_runs_the_call()
    {
        // The round trip (call, result, answer) needs more than the tiny package's 64 positions: use the embedded model.
        string? embedded = FindEmbeddedModel();
        if (embedded is null)
        {
            return;
        }

        using var client = new DiffusionChatClient(embedded);
        int calls = 0;
        var tool = AIFunctionFactory.Create((int n) => { calls++; return $"got {n}"; }, "take");
        using var invoking = new ChatClientBuilder(client).UseFunctionInvocation(configure: f => f.MaximumIterationsPerRequest = 2).Build();
        await invoking.GetResponseAsync("Go", new ChatOptions { Tools = [tool], ToolMode = ChatToolMode.RequireAny, MaxOutputTokens = 4 });
        Assert.True(calls >= 1);
    }

    private static string? FindEmbeddedModel()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "models", "tiny-llada");
            if (File.Exists(Path.Combine(candidate, "manifest.json")))
            {
                return candidate;
            }
        }

        return null;
    }
}
