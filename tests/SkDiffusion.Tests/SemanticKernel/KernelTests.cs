using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.TextGeneration;
using SkDiffusion.Extensions.AI;
using SkDiffusion.SemanticKernel.Infilling;
using SkDiffusion.SemanticKernel.Plugins;
using SkDiffusion.SemanticKernel.Settings;
using SkDiffusion.Templates;
using SkDiffusion.Templates.Holes;

namespace SkDiffusion.Tests.SemanticKernel;

[Collection(TinyPackageCollection.Name)]
public class KernelTests(TinyPackageFixture fixture)
{
    private Kernel BuildKernel(string? serviceId = null)
    {
        var builder = Kernel.CreateBuilder()
            .AddDiffusionChatCompletion(fixture.PackageDirectory, serviceId)
            .AddDiffusionTextGeneration(fixture.PackageDirectory, serviceId)
            .AddDiffusionInfilling(fixture.PackageDirectory, serviceId);
        return builder.Build();
    }

    [Fact]
    public void Services_share_one_loaded_model()
    {
        var kernel = BuildKernel();
        var chat = kernel.GetRequiredService<IChatCompletionService>();
        var infilling = kernel.GetRequiredService<DiffusionInfillingService>();
        var model = kernel.Services.GetRequiredService<IChatClient>().GetService<DiffusionModel>();
        Assert.NotNull(model);
        Assert.Same(model, infilling.Model);
        Assert.Equal(fixture.Package.Manifest.Name, chat.Attributes["ModelId"]);
    }

    [Fact]
    public void Services_are_keyed_by_service_id()
    {
        var services = new ServiceCollection();
        services.AddDiffusionChatCompletion(fixture.PackageDirectory, "tiny");
        using var provider = services.BuildServiceProvider();
        Assert.NotNull(provider.GetRequiredKeyedService<IChatCompletionService>("tiny"));
        Assert.NotNull(provider.GetRequiredKeyedService<IChatClient>("tiny").GetService<DiffusionChatClient>());
        Assert.Null(provider.GetService<IChatCompletionService>());
    }

    [Fact]
    public async Task A_prompt_runs_through_the_kernel()
    {
        var kernel = BuildKernel();
        var result = await kernel.InvokePromptAsync("Say hi", new KernelArguments(new DiffusionPromptExecutionSettings { AnswerLength = 8 }));
        Assert.NotNull(result.GetValue<string>());
    }

    [Fact]
    public async Task Chat_history_with_system_prompt_and_turns()
    {
        var kernel = BuildKernel();
        var chat = kernel.GetRequiredService<IChatCompletionService>();
        var history = new ChatHistory("Be");
        history.AddUserMessage("Hi");
        var settings = new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["answer_length"] = 4, ["steps"] = 4 } };
        var reply = Assert.Single(await chat.GetChatMessageContentsAsync(history, settings, kernel));
        Assert.Equal(AuthorRole.Assistant, reply.Role);
        Assert.IsType<UsageDetails>(reply.Metadata!["Usage"]);

        var parts = new List<StreamingChatMessageContent>();
        await foreach (var part in chat.GetStreamingChatMessageContentsAsync(history, settings, kernel))
        {
            parts.Add(part);
        }

        Assert.Equal(reply.Content, string.Concat(parts.Select(p => p.Content)));
    }

    [Fact]
    public void Several_turns_render_in_order_with_the_chat_format()
    {
        var model = BuildKernel().Services.GetRequiredService<IChatClient>().GetService<DiffusionModel>()!;
        var turns = ChatTurns.From([new(ChatRole.System, "Sys"), new(ChatRole.User, "One"), new(ChatRole.Assistant, "Two"), new(ChatRole.User, "Three")], null);
        Assert.Equal(["system", "user", "assistant", "user"], turns.Select(t => t.Role));
        var ids = model.RenderChat(turns);
        string text = fixture.Package.Tokenizer.Decode(ids);
        Assert.True(text.IndexOf("Sys", StringComparison.Ordinal) < text.IndexOf("One", StringComparison.Ordinal));
        Assert.True(text.IndexOf("Two", StringComparison.Ordinal) < text.IndexOf("Three", StringComparison.Ordinal));
        Assert.EndsWith("assistant<|end_header_id|>\n\n", text);
    }

    [Fact]
    public async Task Text_generation_returns_text()
    {
        var kernel = BuildKernel();
        var text = kernel.GetRequiredService<ITextGenerationService>();
        var result = Assert.Single(await text.GetTextContentsAsync("Continue", new DiffusionPromptExecutionSettings { AnswerLength = 6 }));
        Assert.NotNull(result.Text);
    }

    [Fact]
    public async Task Infilling_keeps_the_context_and_reports_spans()
    {
        var service = BuildKernel().GetRequiredService<DiffusionInfillingService>();
        var result = await service.InfillAsync("The cat [[MASK:1]] on the mat and [[MASK:<=4t]].");
        Assert.StartsWith("The cat", result.Text);
        Assert.EndsWith(".", result.Text);
        Assert.Contains(" on the mat and", result.Text);
        Assert.Equal(2, result.Holes.Count);
        Assert.InRange(result.Holes[0].TokenCount, 1, service.Holes.TokenBudget(HoleLength.Words(1)));
        Assert.InRange(result.Holes[0].Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, 0, 1);
        Assert.InRange(result.Holes[1].TokenCount, 0, 4);
        foreach (var hole in result.Holes)
        {
            Assert.Equal(hole.Text, result.Text.Substring(hole.Start, hole.Length));
        }

        var edited = await service.RewriteSpanAsync("one two three", 4, 3, 1);
        Assert.StartsWith("one", edited.Text);
        Assert.EndsWith(" three", edited.Text);
    }

    [Fact]
    public async Task Infilling_errors_are_specific()
    {
        var service = BuildKernel().GetRequiredService<DiffusionInfillingService>();
        await Assert.ThrowsAsync<TemplateException>(() => service.InfillAsync("nothing to fill"));
        var zero = await Assert.ThrowsAsync<TemplateException>(() => service.InfillAsync("ab [[MASK:0]]"));
        Assert.Equal(3, zero.Position);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => service.RewriteSpanAsync("abc", 2, 5, 3));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => service.RewriteSpanAsync("abc", 2, int.MaxValue, 3));
    }

    [Fact]
    public async Task The_plugin_functions_run_in_the_kernel()
    {
        var kernel = BuildKernel();
        kernel.Plugins.AddFromObject(DiffusionPlugin.Create(kernel.GetRequiredService<DiffusionInfillingService>()), "diffusion");

        var infilled = await kernel.InvokeAsync<string>("diffusion", "infill", new() { ["document"] = "Hello [[MASK:1]] world" });
        Assert.StartsWith("Hello", infilled);
        Assert.EndsWith(" world", infilled);

        var filled = await kernel.InvokeAsync<string>("diffusion", "fill_template", new() { ["instruction"] = "A pet", ["template"] = "Pet: {{pet:enum(cat|dog)}}, age {{age:int(2)}}" });
        using var doc = JsonDocument.Parse(filled!);
        Assert.Contains(doc.RootElement.GetProperty("values").GetProperty("pet").GetString(), new[] { "cat", "dog" });
        Assert.Equal(JsonValueKind.Number, doc.RootElement.GetProperty("values").GetProperty("age").ValueKind);

        var rewritten = await kernel.InvokeAsync<string>("diffusion", "rewrite_span", new() { ["document"] = "a b c", ["start"] = 2, ["length"] = 1, ["maxWords"] = 1 });
        Assert.StartsWith("a", rewritten);
    }
}
