using System.Text;
using Microsoft.Extensions.AI;
using SkDiffusion.Extensions.AI;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;
using SkDiffusion.Tokenization;

namespace SkDiffusion.Tests.Conformance;

/// <summary>
/// Microsoft.Extensions.AI's chat client contract on the embedded model: text, streaming, usage, options, service
/// lookup. Contracts only (shapes, ids, counts, determinism), not world knowledge.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class ChatClientConformanceTests(EmbeddedChatFixture fixture)
{
    private static ChatOptions Small(long? seed = 1) => new() { MaxOutputTokens = 8, Seed = seed, AdditionalProperties = new() { ["steps"] = 4 } };

    [Fact]
    public async Task Text_response_has_an_assistant_message_ids_model_and_raw_result()
    {
        using var client = fixture.Client();
        var response = await client.GetResponseAsync("Hello!", Small());
        var message = Assert.Single(response.Messages);
        Assert.Equal(ChatRole.Assistant, message.Role);
        Assert.False(string.IsNullOrEmpty(response.ResponseId));
        Assert.False(string.IsNullOrEmpty(message.MessageId));
        Assert.Equal(fixture.Package.Manifest.Name, response.ModelId);
        Assert.NotNull(response.CreatedAt);
        var raw = Assert.IsType<SamplingResult>(response.RawRepresentation);
        Assert.Equal(raw.Nfe, response.Usage!.AdditionalCounts!["nfe"]);
        Assert.Contains(response.FinishReason, new ChatFinishReason?[] { ChatFinishReason.Stop, ChatFinishReason.Length });
    }

    [Fact]
    public async Task Streaming_concatenates_to_the_same_text_with_ids_and_final_usage()
    {
        using var client = fixture.Client();
        var options = new ChatOptions { MaxOutputTokens = 16, Seed = 3, AdditionalProperties = new() { ["steps"] = 8, ["block_length"] = 8, ["stop_at_eos"] = false } };
        var whole = await client.GetResponseAsync("Who are you?", options);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("Who are you?", options))
        {
            updates.Add(update);
        }

        Assert.Equal(whole.Text, string.Concat(updates.Select(u => u.Text)));
        Assert.All(updates, u => Assert.False(string.IsNullOrEmpty(u.ResponseId)));
        Assert.Single(updates.Select(u => u.MessageId).Distinct());
        var usage = Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>());
        Assert.Equal(whole.Usage!.OutputTokenCount, usage.Details.OutputTokenCount);
        Assert.NotNull(updates[^1].FinishReason);
    }

    [Fact]
    public async Task Usage_counts_prompt_and_answer_tokens_within_the_budget()
    {
        using var client = fixture.Client();
        var response = await client.GetResponseAsync("Hello!", Small());
        var usage = response.Usage!;
        var prompt = fixture.Package.ChatFormat.RenderPrompt([new SkDiffusion.Chat.DiffusionChatMessage("user", "Hello!")]);
        Assert.Equal(prompt.Count, usage.InputTokenCount);
        Assert.InRange(usage.OutputTokenCount!.Value, 0, 8);
        Assert.Equal(usage.InputTokenCount + usage.OutputTokenCount, usage.TotalTokenCount);
    }

    [Fact]
    public async Task A_stop_sequence_cut_counts_only_the_kept_tokens()
    {
        using var client = fixture.Client();
        var options = new ChatOptions { MaxOutputTokens = 16, Seed = 1, AdditionalProperties = new() { ["steps"] = 8, ["stop_at_eos"] = false } };
        var whole = await client.GetResponseAsync("Who are you?", options);
        string text = whole.Text;
        Assert.True(text.Length > 4, $"answer too short to cut: '{text}'");
        string stop = text.Substring(text.Length / 2, 2);
        int at = text.IndexOf(stop, StringComparison.Ordinal);
        options.StopSequences = [stop];
        var cut = await client.GetResponseAsync("Who are you?", options);
        Assert.Equal(text[..at], cut.Text);
        Assert.Equal(ChatFinishReason.Stop, cut.FinishReason);
        Assert.True(cut.Usage!.OutputTokenCount < whole.Usage!.OutputTokenCount, $"{cut.Usage.OutputTokenCount} kept of {whole.Usage.OutputTokenCount}");
        Assert.True(cut.Usage.OutputTokenCount > 0 || cut.Text.Length == 0);
    }

    [Fact]
    public async Task The_same_seed_repeats_and_an_unset_seed_varies()
    {
        using var client = fixture.Client();
        ChatOptions Hot(long? seed) => new() { MaxOutputTokens = 8, Seed = seed, Temperature = 1.5f, AdditionalProperties = new() { ["steps"] = 4, ["stop_at_eos"] = false } };
        const string Prompt = "Tell me about the sea.";
        var a = await client.GetResponseAsync(Prompt, Hot(-12345));
        var b = await client.GetResponseAsync(Prompt, Hot(-12345));
        Assert.Equal(a.Text, b.Text);
        var fresh = new HashSet<string>();
        for (int i = 0; i < 6; i++)
        {
            fresh.Add((await client.GetResponseAsync(Prompt, Hot(null))).Text);
        }

        Assert.True(fresh.Count > 1, "six unseeded answers at temperature 1.5 were identical: the seed is not fresh per request");
    }

    [Theory]
    [InlineData(long.MinValue)]
    [InlineData(-1L)]
    [InlineData(long.MaxValue)]
    public async Task Any_long_seed_is_accepted(long seed)
    {
        using var client = fixture.Client();
        var response = await client.GetResponseAsync("Hello!", new ChatOptions { MaxOutputTokens = 4, Seed = seed, Temperature = 0.8f, AdditionalProperties = new() { ["steps"] = 2 } });
        Assert.NotNull(response.Text);
    }

    [Fact]
    public async Task Max_output_tokens_bounds_the_answer()
    {
        using var client = fixture.Client();
        var response = await client.GetResponseAsync("Who are you?", new ChatOptions { MaxOutputTokens = 3, Seed = 1, AdditionalProperties = new() { ["stop_at_eos"] = false } });
        Assert.InRange(response.Usage!.OutputTokenCount!.Value, 0, 3);
        Assert.Equal(3, response.Usage.AdditionalCounts!["nfe"]);
    }

    [Theory]
    [InlineData("image/png")]
    [InlineData("audio/wav")]
    public async Task Media_content_is_refused_naming_its_type(string mediaType)
    {
        using var client = fixture.Client();
        var message = new ChatMessage(ChatRole.User, [new TextContent("What is this?"), new DataContent(new byte[] { 1, 2, 3 }, mediaType)]);
        var ex = await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync([message], Small()));
        Assert.Contains(mediaType, ex.Message);
        Assert.Contains(nameof(DataContent), ex.Message);
        var uri = new ChatMessage(ChatRole.User, [new UriContent(new Uri("https://example.org/cat.png"), "image/png")]);
        Assert.Contains("image/png", (await Assert.ThrowsAsync<NotSupportedException>(() => client.GetResponseAsync([uri], Small()))).Message);
    }

    [Fact]
    public void Get_service_returns_the_model_package_tokenizer_and_metadata()
    {
        using var client = fixture.Client();
        Assert.Same(client.Model, client.GetService<DiffusionModel>());
        Assert.Same(client.Model.Package, client.GetService<ModelPackage>());
        Assert.Same(client.Model.Package.Tokenizer, client.GetService<DiffusionTokenizer>());
        Assert.Equal(DiffusionChatClient.ProviderName, client.GetService<ChatClientMetadata>()!.ProviderName);
        Assert.Same(client, client.GetService<DiffusionChatClient>());
        Assert.Null(client.GetService<DiffusionModel>("key"));
        Assert.Null(client.GetService<StringBuilder>());
    }

    [Fact]
    public async Task Instructions_and_system_messages_reach_the_prompt()
    {
        var (model, denoiser) = fixture.Observed();
        using var client = new DiffusionChatClient(model);
        await client.GetResponseAsync([new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "Hello!")], new ChatOptions { Instructions = "Answer in English.", MaxOutputTokens = 2, Seed = 1 });
        string prompt = fixture.Package.Tokenizer.Decode(denoiser.LastRow.Select(t => (int)t));
        Assert.Contains("Be brief.\nAnswer in English.", prompt);
        Assert.True(prompt.IndexOf("Answer in English.", StringComparison.Ordinal) < prompt.IndexOf("Hello!", StringComparison.Ordinal));
    }
}
