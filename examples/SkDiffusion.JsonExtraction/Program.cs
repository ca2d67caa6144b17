// Extracts a C# record from text: GetResponseAsync<T> sends the record's JSON schema, and the diffusion model decodes
// its answer under the schema's grammar on a free canvas, so the answer always parses and every value has the length
// the model chose. copy_strings makes the extraction extractive: every string value is copied verbatim from the text,
// so a name the model has never seen cannot come back misspelt.
// Usage: dotnet run --project examples/SkDiffusion.JsonExtraction [-- "a sentence about a person" ...]
using System.CommandLine;
using Microsoft.Extensions.AI;
using SkDiffusion.DefaultModel;
using SkDiffusion.Examples.Shared;
using SkDiffusion.Extensions.AI;

Argument<string[]> textsArgument = new("text") { Description = "Sentences about a person to extract from (default: two samples).", Arity = ArgumentArity.ZeroOrMore };
ParseResult parsed = new RootCommand("Extracts a C# record from text under the record's JSON schema grammar.") { textsArgument }.Parse(args);
if (ExampleCommandLine.Handle(parsed) is int exit)
{
    return exit;
}

string[] given = parsed.GetValue(textsArgument) ?? [];
using IChatClient client = new DiffusionChatClient(EmbeddedModel.PackageDirectory);
string[] texts = given.Length > 0 ? given :
[
    "Kutaim Goubroum is 57 years old, lives in Neinoth and works as a builder. They are married.",
    "Pem Dreimedral works as a baker in Brunes. Age: 73. Married: no.",
    "Name: Lou Maivoum. Age: 76. City: Thamail. Job: chef. Not married.",
];
var extractive = new ChatOptions { AdditionalProperties = new() { ["copy_strings"] = true } };

foreach (string text in texts)
{
    var response = await client.GetResponseAsync<Person>($"Extract JSON: {text}", extractive);
    Console.WriteLine($"Text:   {text}");
    Console.WriteLine($"JSON:   {response.Text}");
    Console.WriteLine($"Record: {response.Result}");
    Console.WriteLine();
}

return 0;

/// <summary>The extracted person.</summary>
/// <param name="Name">Full name.</param>
/// <param name="Age">Age in years.</param>
/// <param name="City">Home city.</param>
/// <param name="Job">Occupation.</param>
/// <param name="Married">Whether the person is married.</param>
internal sealed record Person(string Name, int Age, string City, string Job, bool Married);
