using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using SkDiffusion.Denoising;
using SkDiffusion.Extensions.AI;
using SkDiffusion.Tests.Sampling;

namespace SkDiffusion.Tests.SemanticKernel;

[Collection(TinyPackageCollection.Name)]
public class ChatClientTests(TinyPackageFixture fixture)
{
    private DiffusionChatClient RealClient() => new DiffusionChatClient(DiffusionModel.Create(fixture.Package, OnnxDenoiser.Create(fixture.Package), ownsDenoiser: true));

    private DiffusionChatClient FakeClient(string preferredText)
    {
        int token = fixture.Package.Tokenizer.EncodeToIds(preferredText, false).Single();
        var denoiser = new FakeDenoiser(fixture.Package.Manifest.VocabSize, (_, _, _, logits) => logits[token] = 5f, fixture.Package.Manifest.ContextLength);
        return new DiffusionChatClient(DiffusionModel.Create(fixture.Package, denoiser));
    }

    [Fact]
    public async Task A_response_has_text_usage_finish_reason_and_model_id()
    {
        using var client = RealClient();
        var response = await client.GetResponseAsync("Hello there", new ChatOptions { MaxOutputTokens = 12 });
        var message = Assert.Single(response.Messages);
        Assert.Equal(ChatRole.Assistant, message.Role);
        Assert.Equal(fixture.Package.Manifest.Name, response.ModelId);
        Assert.NotNull(response.Usage);
        Assert.True(response.Usage!.InputTokenCount > 5);
        Assert.InRange(response.Usage.OutputTokenCount!.Value, 0, 12);
        Assert.Equal(response.Usage.InputTokenCount + response.Usage.OutputTokenCount, response.Usage.TotalTokenCount);
        Assert.True(response.Usage.AdditionalCounts!["nfe"] >= 1);
        Assert.Contains(response.FinishReason, new ChatFinishReason?[] { ChatFinishReason.Stop, ChatFinishReason.Length });
    }

    [Fact]
    public void Metadata_names_the_provider_and_model()
    {
        using var client = RealClient();
        var metadata = client.GetService<ChatClientMetadata>();
        Assert.Equal("skdiffusion", metadata!.ProviderName);
        Assert.Equal(fixture.Package.Manifest.Name, metadata.DefaultModelId);
        Assert.Same(client.Model, client.GetService<DiffusionModel>());
        Assert.Same(client, client.GetService<IChatClient>());
        Assert.Null(client.GetService<ChatClientMetadata>("some-key"));
    }

    [Fact]
    public async Task Streaming_gives_the_same_text_block_by_block()
    {
        using var client = RealClient();
        var options = new ChatOptions { MaxOutputTokens = 24, AdditionalProperties = new() { ["block_length"] = 8, ["stop_at_eos"] = false } };
        var whole = await client.GetResponseAsync("Tell me something", options);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("Tell me something", options))
        {
            updates.Add(update);
        }

        Assert.Equal(whole.Text, string.Concat(updates.Select(u => u.Text)));
        var last = updates[^1];
        Assert.NotNull(last.FinishReason);
        var usage = Assert.Single(last.Contents.OfType<UsageContent>());
        Assert.Equal(whole.Usage!.InputTokenCount, usage.Details.InputTokenCount);
    }

    [Fact]
    public async Task Streaming_releases_one_update_per_block()
    {
        using var client = FakeClient("a");
        var options = new ChatOptions { MaxOutputTokens = 12, AdditionalProperties = new() { ["block_length"] = 4 } };
        var texts = new List<string>();
        await foreach (var update in client.GetStreamingResponseAsync("x", options))
        {
            if (update.Text.Length > 0)
            {
                texts.Add(update.Text);
            }
        }

        Assert.Equal(3, texts.Count);
        Assert.All(texts, t => Assert.Equal("aaaa", t));
    }

    [Fact]
    public async Task Streaming_with_remasking_matches_the_whole_answer()
    {
        using var client = RealClient();
        var options = new ChatOptions { MaxOutputTokens = 16, Seed = 5, AdditionalProperties = new() { ["block_length"] = 8, ["steps"] = 32, ["remasking"] = "cap", ["remasking_eta"] = 0.3, ["stop_at_eos"] = false } };
        var whole = await client.GetResponseAsync("Hi", options);
        var streamed = new StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync("Hi", options))
        {
            streamed.Append(update.Text);
        }

        Assert.Equal(whole.Text, streamed.ToString());
    }

    [Fact]
    public async Task The_prefix_cache_setting_reaches_the_sampler()
    {
        using var client = RealClient();
        var options = new ChatOptions { MaxOutputTokens = 16, AdditionalProperties = new() { ["block_length"] = 8, ["cache"] = "prefix", ["stop_at_eos"] = false } };
        var cached = await client.GetResponseAsync("Hi", options);
        Assert.NotNull(cached.Text);
        Assert.True(cached.Usage!.AdditionalCounts!["nfe"] >= 2);
    }

    [Fact]
    public void Instructions_join_the_system_turn()
    {
        using var client = FakeClient("a");
        var request = DiffusionChatRequest.Create(client.Model, [new ChatMessage(ChatRole.System, "S"), new ChatMessage(ChatRole.User, "U")], new ChatOptions { Instructions = "I", MaxOutputTokens = 2 });
        string prompt = fixture.Package.Tokenizer.Decode(request.Prompt);
        Assert.Contains("S\nI", prompt);
        var alone = DiffusionChatRequest.Create(client.Model, [new ChatMessage(ChatRole.User, "U")], new ChatOptions { Instructions = "I", MaxOutputTokens = 2 });
        Assert.Contains("system", fixture.Package.Tokenizer.Decode(alone.Prompt));
    }

    [Fact]
    public async Task Stop_sequences_cut_the_answer()
    {
        using var client = FakeClient("a");
        var response = await client.GetResponseAsync("x", new ChatOptions { MaxOutputTokens = 10, StopSequences = ["aaa"] });
        Assert.Equal("", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);

        var plain = await client.GetResponseAsync("x", new ChatOptions { MaxOutputTokens = 10 });
        Assert.Equal(new string('a', 10), plain.Text);
        Assert.Equal(ChatFinishReason.Length, plain.FinishReason);

        Assert.Equal("", await Stream(client, "aaa"));
        Assert.Equal(new string('a', 10), await Stream(client, "ab"));
    }

    private static async Task<string> Stream(DiffusionChatClient client, string stop)
    {
        var streamed = new StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (var u in client.GetStreamingResponseAsync("x", new ChatOptions { MaxOutputTokens = 10, StopSequences = [stop], AdditionalProperties = new() { ["block_length"] = 2 } }))
        {
            streamed.Append(u.Text);
            finish = u.FinishReason ?? finish;
        }

        Assert.Equal(streamed.Length == 10 ? ChatFinishReason.Length : ChatFinishReason.Stop, finish);
        return streamed.ToString();
    }

    private sealed record Pet(string Name, bool Friendly);

    [Fact]
    public async Task Structured_output_follows_the_schema()
    {
        using var client = RealClient();
        var response = await client.GetResponseAsync<Pet>("Pet?", new ChatOptions { AdditionalProperties = new() { ["steps"] = 8, ["json_string_tokens"] = 4 } });
        Assert.True(response.TryGetResult(out var pet));
        Assert.NotNull(pet!.Name);
        Assert.StartsWith("{\"name\": \"", response.Text);
    }

    [Fact]
    public async Task Auto_json_mode_falls_back_to_the_grammar_when_free_text_is_not_json()
    {
        using var client = FakeClient("a");
        var schema = System.Text.Json.JsonDocument.Parse("""{"type":"object","properties":{"n":{"type":"integer","minimum":0,"maximum":9}},"required":["n"]}""").RootElement;
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema), AdditionalProperties = new() { ["json_mode"] = "auto" } };
        var response = await client.GetResponseAsync("x", options);
        Assert.StartsWith("{\"n\": ", response.Text);
        Assert.True(response.Usage!.AdditionalCounts!["nfe"] > 1);
        var bad = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema), AdditionalProperties = new() { ["json_mode"] = "sometimes" } };
        Assert.Equal("json_mode", (await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("x", bad))).ParamName);
    }

    [Fact]
    public async Task Kernel_function_arguments_come_from_the_parameter_schema()
    {
        using var client = RealClient();
        var function = Microsoft.SemanticKernel.KernelFunctionFactory.CreateFromMethod((int count, bool loud) => $"{count}:{loud}", "shout");
        var response = await client.GetResponseAsync("Go", new ChatOptions { Tools = [function], ToolMode = ChatToolMode.RequireAny });
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(JsonValueKind.Number, Assert.IsType<JsonElement>(call.Arguments!["count"]).ValueKind);
        Assert.Contains(Assert.IsType<JsonElement>(call.Arguments["loud"]).ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        var result = await function.InvokeAsync(new Microsoft.SemanticKernel.Kernel(), new Microsoft.SemanticKernel.KernelArguments(call.Arguments!));
        Assert.Matches("^-?[0-9]+:(True|False)$", result.GetValue<string>());
    }

    [Fact]
    public async Task Cancellation_throws()
    {
        using var client = RealClient();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetResponseAsync("Hi", new ChatOptions { MaxOutputTokens = 8 }, cts.Token));
    }

    [Fact]
    public async Task Bad_requests_fail_with_specific_errors()
    {
        using var client = FakeClient("a");
        var tooLong = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("Hi", new ChatOptions { MaxOutputTokens = 1000 }));
        Assert.Contains("context", tooLong.Message);
        var badSteps = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("Hi", new ChatOptions { AdditionalProperties = new() { ["steps"] = "many" } }));
        Assert.Equal("steps", badSteps.ParamName);
        var badRule = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("Hi", new ChatOptions { MaxOutputTokens = 4, AdditionalProperties = new() { ["selection"] = "bogus" } }));
        Assert.Equal("selection", badRule.ParamName);
    }
}
