// Reward guidance with a verifier that ships with the library: copy fidelity (every string value of a JSON answer
// must appear in the prompt as whole words). Each extraction is decoded twice by the same client with the same
// settings (Fast-dLLM threshold decoding, greedy): once plain, and once with the reward, which at every step draws 32
// candidate commits (candidate 0 is the plain one, the others sampled at temperature 2) and keeps the one whose
// decided values are best found in the prompt. Extra forward passes: none; the cost is the scoring.
// Usage: dotnet run --project examples/SkDiffusion.RewardGuidance [-- "an extraction prompt" ...]
using System.CommandLine;
using Microsoft.Extensions.AI;
using SkDiffusion.DefaultModel;
using SkDiffusion.Examples.Shared;
using SkDiffusion.Extensions.AI;
using SkDiffusion.Sampling.Guidance;

Argument<string[]> promptsArgument = new("prompt") { Description = "Extraction prompts (default: two samples).", Arity = ArgumentArity.ZeroOrMore };
Option<int> candidatesOption = ExampleCommandLine.Integer("--candidates", 32, 1, "Candidate commits per step.");
Option<int> seedOption = ExampleCommandLine.Integer("--seed", 2, 0, "Seed of the exploring candidates (the plain answer is greedy).");
ParseResult parsed = new RootCommand("Typed extraction decoded plain and with the copy-fidelity reward.") { promptsArgument, candidatesOption, seedOption }.Parse(args);
if (ExampleCommandLine.Handle(parsed) is int exit)
{
    return exit;
}

string[] given = parsed.GetValue(promptsArgument) ?? [];
string[] prompts = given.Length > 0 ? given :
[
    "Extract the person as JSON.\nOccupation: farmer, Lives in: Brathes, Married: yes, Age: 38, Full name: Zureir Doudraiklam",
    "Age 68, city Repi: Droutrous Kisal works as a sailor and has a spouse.",
];

int seed = parsed.GetValue(seedOption);
using IChatClient client = new DiffusionChatClient(EmbeddedModel.PackageDirectory);
var copy = new CopyFidelityReward();
foreach (string prompt in prompts)
{
    ChatOptions Settings() => new() { Seed = seed, AdditionalProperties = new() { ["selection"] = "threshold" } };
    var plain = await client.GetResponseAsync<Person>(prompt, Settings());
    var guidedOptions = Settings().WithReward(copy, candidates: parsed.GetValue(candidatesOption), mode: RewardMode.Step);
    guidedOptions.AdditionalProperties!["reward_temperature"] = 2.0;
    var guided = await client.GetResponseAsync<Person>(prompt, guidedOptions);

    Console.WriteLine($"Prompt:  {prompt.ReplaceLineEndings(" ")}");
    Console.WriteLine($"Plain:   {plain.Text}   (copy fidelity {copy.Score(RewardText.Complete(prompt, plain.Text)):F2}, {plain.Usage?.AdditionalCounts?["nfe"]} forward passes)");
    Console.WriteLine($"Guided:  {guided.Text}   (copy fidelity {copy.Score(RewardText.Complete(prompt, guided.Text)):F2}, {guided.Usage?.AdditionalCounts?["nfe"]} forward passes)");
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
