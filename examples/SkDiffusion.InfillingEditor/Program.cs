// Fills holes in a text from the context on both sides, then rewrites a span: things a left-to-right model cannot do.
// Usage: dotnet run --project examples/SkDiffusion.InfillingEditor [-- "text with [[MASK:3]] holes"]
using SkDiffusion.DefaultModel;
using SkDiffusion.SemanticKernel.Infilling;
using SkDiffusion.Extensions.AI;

using var model = DiffusionModel.Load(EmbeddedModel.PackageDirectory);
var editor = DiffusionInfillingService.Create(model);

string document = args.Length > 0 ? args[0] : "The capital of France is [[MASK:1]]. Lor Klorouklir is a [[MASK:<=3]] from Pabath.";
var filled = await editor.InfillAsync(document);
Console.WriteLine($"in:  {document}\nout: {filled.Text}");
foreach (var hole in filled.Holes)
{
    Console.WriteLine($"  hole {hole.Index}: [{hole.Start}, {hole.Start + hole.Length}) \"{hole.Text}\" ({hole.TokenCount} tokens)");
}

// Rewrite the characters of the first hole again, from the text around them.
var first = filled.Holes[0];
var rewritten = await editor.RewriteSpanAsync(filled.Text, first.Start, first.Length, maxTokens: 2);
Console.WriteLine($"rewrite [{first.Start}, {first.Start + first.Length}): {rewritten.Text}");
