// Extracts a C# record from text: GetResponseAsync<T> sends the record's JSON schema, and the diffusion model fills a
// template of it (keys and punctuation fixed, typed value slots), so the answer always parses.
// Usage: dotnet run --project examples/SkDiffusion.JsonExtraction [-- "a sentence about a person"]
using Microsoft.Extensions.AI;
using SkDiffusion.DefaultModel;
using SkDiffusion.Extensions.AI;

using IChatClient client = new DiffusionChatClient(EmbeddedModel.PackageDirectory);
string text = args.Length > 0 ? args[0] : "Kutaim Goubroum is 57 years old, lives in Neinoth and works as a builder. They are married.";

foreach (string mode in new[] { "template", "auto" })
{
    // template: always the constrained layout; auto: the model's own answer when it already is JSON of the schema.
    var options = new ChatOptions { AdditionalProperties = new() { ["json_mode"] = mode, ["json_string_tokens"] = 4 } };
    var response = await client.GetResponseAsync<Person>($"Extract JSON: {text}", options);
    Console.WriteLine($"[{mode}] JSON:   {response.Text}");
    Console.WriteLine($"[{mode}] Record: {response.Result}");
}

/// <summary>The extracted person.</summary>
/// <param name="Name">Full name.</param>
/// <param name="Age">Age in years.</param>
/// <param name="City">Home city.</param>
/// <param name="Job">Occupation.</param>
/// <param name="Married">Whether the person is married.</param>
internal sealed record Person(string Name, int Age, string City, string Job, bool Married);
