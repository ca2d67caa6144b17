using System.Text.Json;
using Microsoft.Extensions.AI;
using SkDiffusion.Extensions.AI;

namespace SkDiffusion.Tests.Conformance;

/// <summary>Function calling on the embedded model: tool modes, typed arguments, the invocation loop, tool results in the prompt.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class FunctionCallingConformanceTests(EmbeddedChatFixture fixture)
{
    private const string Sentence = "Extract JSON: Kutaim Goubroum is 57 years old, lives in Neinoth and works as a builder. They are married.";

    private static AIFunction SavePerson(List<string> calls) => AIFunctionFactory.Create(
        (string name, int age, string city, string job, bool married) =>
        {
            calls.Add(name);
            return $"Saved {name}.";
        },
        "save_person",
        "Saves a person to the directory.");

    private static AIFunction CapitalOf() => AIFunctionFactory.Create((string country) => "Naigoun", "capital_of", "Returns the capital city of a country.");

    private static IEnumerable<FunctionCallContent> Calls(ChatResponse response) => response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>();

    [Fact]
    public async Task Require_any_calls_a_function_with_arguments_of_its_parameter_types()
    {
        using var client = fixture.Client();
        var response = await client.GetResponseAsync(Sentence, new ChatOptions { Tools = [SavePerson([]), CapitalOf()], ToolMode = ChatToolMode.RequireAny, Seed = 1, AdditionalProperties = new() { ["json_string_tokens"] = 6 } });
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        var call = Assert.Single(Calls(response));
        Assert.Contains(call.Name, new[] { "save_person", "capital_of" });
        Assert.StartsWith("call_", call.CallId);
        var function = call.Name == "save_person" ? SavePerson([]) : CapitalOf();
        var properties = function.JsonSchema.GetProperty("properties").EnumerateObject().ToList();
        Assert.Equal(properties.Select(p => p.Name).Order(), call.Arguments!.Keys.Order());
        foreach (var p in properties)
        {
            var value = Assert.IsType<JsonElement>(call.Arguments[p.Name]);
            string type = p.Value.GetProperty("type").GetString()!;
            Assert.True(type switch
            {
                "string" => value.ValueKind == JsonValueKind.String,
                "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
                "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
                _ => true,
            }, $"{p.Name} ({type}) = {value}");
        }
    }

    [Fact]
    public async Task Require_specific_calls_the_named_function_and_an_unknown_name_is_refused()
    {
        using var client = fixture.Client();
        var tools = new List<AITool> { SavePerson([]), CapitalOf() };
        var response = await client.GetResponseAsync("What is the capital of Gebeivaith?", new ChatOptions { Tools = tools, ToolMode = ChatToolMode.RequireSpecific("capital_of"), Seed = 1, AdditionalProperties = new() { ["json_string_tokens"] = 4 } });
        Assert.Equal("capital_of", Assert.Single(Calls(response)).Name);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("Hi", new ChatOptions { Tools = tools, ToolMode = ChatToolMode.RequireSpecific("weather") }));
        Assert.Contains("weather", ex.Message);
        Assert.Contains("capital_of", ex.Message);
    }

    [Fact]
    public async Task None_answers_in_text_and_auto_either_answers_or_calls_a_listed_function()
    {
        using var client = fixture.Client();
        var tools = new List<AITool> { SavePerson([]), CapitalOf() };
        var none = await client.GetResponseAsync(Sentence, new ChatOptions { Tools = tools, ToolMode = ChatToolMode.None, MaxOutputTokens = 8, Seed = 1 });
        Assert.Empty(Calls(none));
        Assert.NotEqual(ChatFinishReason.ToolCalls, none.FinishReason);
        var auto = await client.GetResponseAsync(Sentence, new ChatOptions { Tools = tools, ToolMode = ChatToolMode.Auto, MaxOutputTokens = 8, Seed = 1, AdditionalProperties = new() { ["json_string_tokens"] = 4 } });
        var calls = Calls(auto).ToList();
        Assert.Equal(calls.Count == 0 ? auto.FinishReason : ChatFinishReason.ToolCalls, auto.FinishReason);
        Assert.All(calls, c => Assert.Contains(c.Name, new[] { "save_person", "capital_of" }));
    }

    [Fact]
    public async Task After_tool_results_auto_mode_answers_in_text()
    {
        using var client = fixture.Client();
        List<ChatMessage> history =
        [
            new(ChatRole.User, "What is the capital of Gebeivaith?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_1", "capital_of", new Dictionary<string, object?> { ["country"] = "Gebeivaith" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "Naigoun")]),
        ];
        var response = await client.GetResponseAsync(history, new ChatOptions { Tools = [CapitalOf()], MaxOutputTokens = 8, Seed = 1, AdditionalProperties = new() { ["steps"] = 4 } });
        Assert.Empty(Calls(response));
        Assert.NotEqual(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    [Fact]
    public async Task Tool_calls_and_results_reach_the_model_as_chat_turns()
    {
        var (model, denoiser) = fixture.Observed();
        using var client = new DiffusionChatClient(model);
        List<ChatMessage> history =
        [
            new(ChatRole.User, "What is the capital of Gebeivaith?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_1", "capital_of", new Dictionary<string, object?> { ["country"] = "Gebeivaith" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "Naigoun")]),
        ];
        await client.GetResponseAsync(history, new ChatOptions { MaxOutputTokens = 2, Seed = 1 });
        string prompt = fixture.Package.Tokenizer.Decode(denoiser.LastRow.Select(t => (int)t));
        int call = prompt.IndexOf("call capital_of({\"country\":\"Gebeivaith\"})", StringComparison.Ordinal);
        int result = prompt.IndexOf("result of capital_of: Naigoun", StringComparison.Ordinal);
        Assert.True(call > 0, prompt);
        Assert.True(result > call, prompt);
    }

    [Fact]
    public async Task The_function_invoking_client_runs_the_call_and_returns_an_answer()
    {
        using var inner = fixture.Client();
        var calls = new List<string>();
        using var client = inner.AsBuilder().UseFunctionInvocation().Build();
        var response = await client.GetResponseAsync(Sentence, new ChatOptions { Tools = [SavePerson(calls)], ToolMode = ChatToolMode.RequireAny, MaxOutputTokens = 8, Seed = 1, AdditionalProperties = new() { ["json_string_tokens"] = 6 } });
        Assert.Single(calls);
        var messages = response.Messages.ToList();
        Assert.Contains(messages, m => m.Contents.OfType<FunctionCallContent>().Any());
        Assert.Contains(messages, m => m.Contents.OfType<FunctionResultContent>().Any());
        Assert.Equal(ChatRole.Assistant, messages[^1].Role);
        Assert.Empty(messages[^1].Contents.OfType<FunctionCallContent>());
    }

    [Fact]
    public async Task Streaming_a_tool_call_yields_the_call()
    {
        using var client = fixture.Client();
        var updates = await client.GetStreamingResponseAsync(Sentence, new ChatOptions { Tools = [CapitalOf()], ToolMode = ChatToolMode.RequireAny, Seed = 1, AdditionalProperties = new() { ["json_string_tokens"] = 4 } }).ToListAsync();
        Assert.Equal("capital_of", Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>()).Name);
        Assert.Contains(updates, u => u.FinishReason == ChatFinishReason.ToolCalls);
    }
}
