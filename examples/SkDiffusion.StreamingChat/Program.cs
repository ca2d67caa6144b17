// Streams answers of the embedded diffusion model block by block through Microsoft.Extensions.AI's IChatClient.
// Usage: dotnet run --project examples/SkDiffusion.StreamingChat [-- "your question"]
using System.CommandLine;
using Microsoft.Extensions.AI;
using SkDiffusion.DefaultModel;
using SkDiffusion.Examples.Shared;
using SkDiffusion.Extensions.AI;

Argument<string[]> questionsArgument = new("question") { Description = "Questions to ask in turn (default: two sample questions).", Arity = ArgumentArity.ZeroOrMore };
ParseResult parsed = new RootCommand("Streams answers of the embedded diffusion model block by block.") { questionsArgument }.Parse(args);
if (ExampleCommandLine.Handle(parsed) is int exit)
{
    return exit;
}

string[] asked = parsed.GetValue(questionsArgument) ?? [];
using IChatClient client = new DiffusionChatClient(EmbeddedModel.PackageDirectory);
var options = new ChatOptions
{
    MaxOutputTokens = 64,
    AdditionalProperties = new() { ["block_length"] = 16 }, // each completed 16-token block is streamed
};

string[] questions = asked.Length > 0 ? asked : ["What is the capital of Gebeivaith?", "Who are you?"];
var history = new List<ChatMessage>();
foreach (string question in questions)
{
    Console.WriteLine($"> {question}");
    history.Add(new ChatMessage(ChatRole.User, question));
    var updates = new List<ChatResponseUpdate>();
    await foreach (var update in client.GetStreamingResponseAsync(history, options))
    {
        Console.Write(update.Text);
        updates.Add(update);
    }

    var response = updates.ToChatResponse();
    history.AddMessages(response);
    Console.WriteLine($"\n  [{response.FinishReason}, {response.Usage?.InputTokenCount} prompt + {response.Usage?.OutputTokenCount} answer tokens, {response.Usage?.AdditionalCounts?["nfe"]} passes]\n");
}

return 0;
