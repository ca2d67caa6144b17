// Extracts a C# record from text: GetResponseAsync<T> sends the record's JSON schema, and the diffusion model decodes
// its answer under the schema's grammar on a free canvas, so the answer always parses and every value has the length
// the model chose.
// Usage: dotnet run --project examples/SkDiffusion.JsonExtraction [-- "a sentence about a person" ...]
using Microsoft.Extensions.AI;
using SkDiffusion.DefaultModel;
using SkDiffusion.Extensions.AI;

using IChatClient client = new DiffusionChatClient(EmbeddedModel.PackageDirectory);
string[] texts = args.Length > 0 ? args :
[
    "Kutaim Goubroum is 57 years old, lives in Neinoth and works as a builder. They are married.",
    "Pem Dreimedral works as a baker in Brunes. Age: 73. Married: no.",
];

foreach (string text in texts)
{
    var response = await client.GetResponseAsync<Person>($"Extract JSON: {text}");
    Console.WriteLine($"Text:   {text}");
    Console.WriteLine($"JSON:   {response.Text}");
    Console.WriteLine($"Record: {response.Result}");
    Console.WriteLine();
}

/// <summary>The extracted person.</summary>
/// <param name="Name">Full name.</param>
/// <param name="Age">Age in years.</param>
/// <param name="City">Home city.</param>
/// <param name="Job">Occupation.</param>
/// <param name="Married">Whether the person is married.</param>
internal sealed record Person(string Name, int Age, string City, string Job, bool Married);
