// Reward guidance with a verifier that ships with the library: copy fidelity (every string value of a JSON answer
// must appear in the prompt). Each extraction is decoded twice by the same client and the same settings, once plain
// and once with the reward, which at every step draws 8 candidate commits (candidate 0 is the plain one, the others
// sampled at temperature 1.5) and keeps the one whose decided values are best found in the prompt.
// Usage: dotnet run --project examples/SkDiffusion.RewardGuidance [-- "an extraction prompt" ...]
using Microsoft.Extensions.AI;
using SkDiffusion.DefaultModel;
using SkDiffusion.Extensions.AI;
using SkDiffusion.Sampling.Guidance;

using var client = new DiffusionChatClient(EmbeddedModel.PackageDirectory);
string[] prompts = args.Length > 0 ? args :
[
    "Extract JSON: Kutaim Goubroum is 57 years old, lives in Neinoth and works as a builder. They are married.",
    "JSON please: Zaklil is where Fatha Kaizeis lives; Fatha Kaizeis is 40 and works as a farmer, and is a married person.",
];

var copy = new CopyFidelityReward();
foreach (string prompt in prompts)
{
    // Fast-dLLM threshold decoding, greedy; the same seed for both runs.
    ChatOptions Settings() => new() { Seed = 1, AdditionalProperties = new() { ["selection"] = "threshold" } };
    var plain = await client.GetResponseAsync(prompt, Settings());
    var guidedOptions = Settings().WithReward(copy, candidates: 8, mode: RewardMode.Step);
    guidedOptions.AdditionalProperties!["reward_temperature"] = 1.5;
    var guided = await client.GetResponseAsync(prompt, guidedOptions);

    Console.WriteLine($"Prompt:  {prompt}");
    Console.WriteLine($"Plain:   {plain.Text}   (copy fidelity {copy.Score(RewardText.Complete(prompt, plain.Text)):F2}, {plain.Usage?.AdditionalCounts?["nfe"]} forward passes)");
    Console.WriteLine($"Guided:  {guided.Text}   (copy fidelity {copy.Score(RewardText.Complete(prompt, guided.Text)):F2}, {guided.Usage?.AdditionalCounts?["nfe"]} forward passes)");
    Console.WriteLine();
}
