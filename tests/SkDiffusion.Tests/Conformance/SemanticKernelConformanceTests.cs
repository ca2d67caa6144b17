using System.ComponentModel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using SkDiffusion.Extensions.AI;
using SkDiffusion.SemanticKernel.Settings;

namespace SkDiffusion.Tests.Conformance;

/// <summary>
/// Semantic Kernel's usual patterns on the embedded model through SK's own IChatClient bridge: prompts with execution
/// settings from a JSON config, chat history with tool calls and results, FunctionChoiceBehavior Required/Auto/None.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class SemanticKernelConformanceTests(EmbeddedChatFixture fixture)
{
    private const string Sentence = "Extract JSON: Kutaim Goubroum is 57 years old, lives in Neinoth and works as a builder. They are married.";

    /// <summary>A plugin that counts its calls.</summary>
    public sealed class People
    {
        public List<(string Name, int Age)> Calls { get; } = [];

        [KernelFunction("save_person")]
        [Description("Saves a person to the directory.")]
        public string SavePerson(string name, int age, string city, string job, bool married)
        {
            Calls.Add((name, age));
            return $"Saved {name}.";
        }
    }

    /// <summary>A kernel whose chat completion is SK's bridge over a client on an observed denoiser (what AddDiffusionChatCompletion registers).</summary>
    private (Kernel Kernel, ObservingDenoiser Denoiser, People People) Build()
    {
        var (model, denoiser) = fixture.Observed();
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton<IChatCompletionService>(sp => new DiffusionChatClient(model).AsBuilder().UseKernelFunctionInvocation().Build(sp).AsChatCompletionService(sp));
        var kernel = builder.Build();
        var people = new People();
        kernel.Plugins.AddFromObject(people, "people");
        return (kernel, denoiser, people);
    }

    [Fact]
    public async Task Add_diffusion_chat_completion_registers_sks_bridge_and_a_prompt_runs()
    {
        var kernel = Kernel.CreateBuilder().AddDiffusionChatCompletion(EmbeddedChatFixture.PackageDirectory, "tiny").Build();
        var chat = kernel.GetRequiredService<IChatCompletionService>("tiny");
        Assert.DoesNotContain("Diffusion", chat.GetType().Name);
        Assert.NotNull(kernel.Services.GetRequiredKeyedService<IChatClient>("tiny").GetService<DiffusionChatClient>());
        var result = await kernel.InvokePromptAsync("Hello!", new KernelArguments(new DiffusionPromptExecutionSettings { AnswerLength = 4, Steps = 2, Seed = 1 }));
        Assert.NotNull(result.GetValue<string>());
    }

    [Fact]
    public async Task Execution_settings_from_a_json_prompt_config_reach_the_sampler()
    {
        var (kernel, denoiser, _) = Build();
        var config = PromptTemplateConfig.FromJson("""
            {
              "name": "greet",
              "template": "{{$input}}",
              "execution_settings": { "default": { "answer_length": 6, "steps": 3, "seed": -5, "temperature": 0.5, "stop_at_eos": false } }
            }
            """);
        var function = kernel.CreateFunctionFromPrompt(config);
        var first = await kernel.InvokeAsync(function, new() { ["input"] = "Hello!" });
        Assert.Equal(3, denoiser.Calls);
        var second = await kernel.InvokeAsync(function, new() { ["input"] = "Hello!" });
        Assert.Equal(first.GetValue<string>(), second.GetValue<string>());
    }

    [Fact]
    public async Task Chat_history_with_a_tool_call_and_its_result_reaches_the_model()
    {
        var (kernel, denoiser, _) = Build();
        var chat = kernel.GetRequiredService<IChatCompletionService>();
        var history = new ChatHistory();
        history.AddUserMessage("What is the capital of Gebeivaith?");
        history.Add(new ChatMessageContent(AuthorRole.Assistant, [new Microsoft.SemanticKernel.FunctionCallContent("capital_of", "world", "call_1", new KernelArguments { ["country"] = "Gebeivaith" })]));
        history.Add(new ChatMessageContent(AuthorRole.Tool, [new Microsoft.SemanticKernel.FunctionResultContent("capital_of", "world", "call_1", "Naigoun")]));
        var reply = Assert.Single(await chat.GetChatMessageContentsAsync(history, new DiffusionPromptExecutionSettings { AnswerLength = 4, Steps = 2, Seed = 1 }, kernel));
        Assert.Equal(AuthorRole.Assistant, reply.Role);
        string prompt = fixture.Package.Tokenizer.Decode(denoiser.LastRow.Select(t => (int)t));
        int call = prompt.IndexOf("call ", StringComparison.Ordinal);
        int result = prompt.IndexOf(": Naigoun", StringComparison.Ordinal);
        Assert.True(call > 0 && prompt.IndexOf("Gebeivaith\"})", StringComparison.Ordinal) > call, prompt);
        Assert.True(result > call, prompt);
        Assert.Contains("capital_of", prompt[call..result]);
    }

    [Fact]
    public async Task Function_choice_required_invokes_the_function_once_with_typed_arguments()
    {
        var (kernel, _, people) = Build();
        var settings = new DiffusionPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Required(), AnswerLength = 8, Seed = 1, JsonStringTokens = 6 };
        var result = await kernel.InvokePromptAsync(Sentence, new KernelArguments(settings));
        var (name, age) = Assert.Single(people.Calls);
        Assert.NotNull(name);
        Assert.InRange(age, int.MinValue, int.MaxValue);
        Assert.NotNull(result.GetValue<string>());
    }

    [Fact]
    public async Task Function_choice_none_invokes_nothing()
    {
        var (kernel, _, people) = Build();
        var settings = new DiffusionPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.None(), AnswerLength = 6, Steps = 3, Seed = 1 };
        var result = await kernel.InvokePromptAsync(Sentence, new KernelArguments(settings));
        Assert.Empty(people.Calls);
        Assert.NotNull(result.GetValue<string>());
    }

    [Fact]
    public async Task Function_choice_auto_either_answers_or_invokes_then_answers()
    {
        var (kernel, _, people) = Build();
        var settings = new DiffusionPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(), AnswerLength = 6, Steps = 3, Seed = 1, JsonStringTokens = 6 };
        var result = await kernel.InvokePromptAsync(Sentence, new KernelArguments(settings));
        Assert.InRange(people.Calls.Count, 0, 1);
        Assert.NotNull(result.GetValue<string>());
    }

    [Fact]
    public async Task Streaming_through_the_bridge_equals_the_whole_answer()
    {
        var (kernel, _, _) = Build();
        var chat = kernel.GetRequiredService<IChatCompletionService>();
        var history = new ChatHistory();
        history.AddUserMessage("Who are you?");
        var settings = new DiffusionPromptExecutionSettings { AnswerLength = 16, Steps = 8, BlockLength = 8, Seed = 2, StopAtEos = false };
        var whole = Assert.Single(await chat.GetChatMessageContentsAsync(history, settings, kernel));
        var parts = new List<string?>();
        await foreach (var part in chat.GetStreamingChatMessageContentsAsync(history, settings, kernel))
        {
            parts.Add(part.Content);
        }

        Assert.Equal(whole.Content, string.Concat(parts));
    }
}
