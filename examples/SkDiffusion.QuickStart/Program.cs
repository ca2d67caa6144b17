using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using SkDiffusion.Chat;
using SkDiffusion.DefaultModel;
using SkDiffusion.Denoising;
using SkDiffusion.Examples.Shared;
using SkDiffusion.Grammars;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;

// The main job on the embedded default model: a chat answer and a JSON extraction, decoded by diffusion. The extraction
// is decoded under the grammar of a JSON schema: the answer is always JSON of the schema, and the model chooses each
// value's length.
//   dotnet run --project examples/SkDiffusion.QuickStart              (add --animate to watch the canvas denoise)
Option<bool> animateOption = new("--animate") { Description = "Redraw the canvas at every step to watch it denoise." };
Option<string?> packageOption = ExampleCommandLine.ExistingDirectory("--package", "Model package folder (default: the embedded model).");
ParseResult parsed = new RootCommand("A chat answer and a JSON extraction on the embedded model, decoded by diffusion.") { animateOption, packageOption }.Parse(args);
if (ExampleCommandLine.Handle(parsed) is int exit)
{
    return exit;
}

bool animate = parsed.GetValue(animateOption);
string packageDir = parsed.GetValue(packageOption) ?? EmbeddedModel.PackageDirectory;

ModelPackage package = ModelPackage.Load(packageDir);
using OnnxDenoiser denoiser = OnnxDenoiser.Create(package, new OnnxDenoiserOptions { Warning = w => Console.Error.WriteLine("warning: " + w) });
DiffusionSampler sampler = DiffusionSampler.Create(denoiser, package.Manifest);
ModelManifest m = package.Manifest;
Console.WriteLine($"Model {m.Name}: {m.Architecture}, {m.NumLayers} layers, d={m.HiddenSize}, vocab {m.VocabSize}, on {denoiser.ActiveProvider}");

await AskAsync("What is the capital of Gebeivaith?", 24);
using JsonDocument personSchema = JsonDocument.Parse("""
    {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0, "maximum": 130},
     "city": {"type": "string"}, "job": {"type": "string"}, "married": {"type": "boolean"}},
     "required": ["name", "age", "city", "job", "married"]}
    """);
TokenGrammar grammar = TokenGrammar.FromJsonSchema(personSchema.RootElement, package);
string extraction = await AskAsync("Extract JSON: Lina Varosk is 42 years old, lives in Tolbreth and works as a pilot. They are married.", 48, grammar);
try
{
    using JsonDocument doc = JsonDocument.Parse(extraction);
    Console.WriteLine("Parsed JSON fields: " + string.Join(", ", doc.RootElement.EnumerateObject().Select(p => $"{p.Name}={p.Value}")));
}
catch (JsonException ex)
{
    Console.WriteLine("The answer is not valid JSON: " + ex.Message);
}

return 0;

async Task<string> AskAsync(string question, int answerLength, TokenGrammar? grammar = null)
{
    IReadOnlyList<int> prompt = package.ChatFormat.RenderPrompt([new DiffusionChatMessage(DiffusionChatMessage.UserRole, question)]);
    var options = new SamplerOptions { Steps = answerLength };
    int top = 0;
    if (animate)
    {
        Console.WriteLine();
        top = Console.IsOutputRedirected ? 0 : Console.CursorTop;
        var canvas = Enumerable.Repeat(package.Tokenizer.MaskId, answerLength).ToArray();
        options.OnStep = e =>
        {
            foreach (var c in e.Committed.Concat(e.EosFilled))
            {
                canvas[c.Position - prompt.Count] = c.TokenId;
            }

            string text = string.Concat(canvas.Select(t => t == package.Tokenizer.MaskId ? "░" : package.Tokenizer.IsSpecial(t) ? "·" : package.Tokenizer.Decode([t])));
            if (!Console.IsOutputRedirected)
            {
                Console.SetCursorPosition(0, top);
            }

            Console.WriteLine($"step {e.Step,3}: {text.Replace('\n', ' ')}");
            Thread.Sleep(30);
        };
    }

    var clock = Stopwatch.StartNew();
    DiffusionCanvas answerCanvas = grammar is null ? DiffusionCanvas.FromPrompt(prompt, answerLength) : DiffusionCanvas.FromPrompt(prompt, answerLength, grammar);
    SamplingResult result = await sampler.SampleAsync(answerCanvas, options);
    string answer = package.Tokenizer.Decode(result.AnswerTokens, skipSpecialTokens: true).Trim();
    Console.WriteLine();
    Console.WriteLine($"User:      {question}");
    Console.WriteLine($"Assistant: {answer}");
    Console.WriteLine($"           ({result.Nfe} forward passes for {answerLength} positions, {clock.ElapsedMilliseconds} ms)");
    return answer;
}
