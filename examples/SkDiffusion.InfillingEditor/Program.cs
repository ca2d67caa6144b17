// Fills holes in a text from the context on both sides, then rewrites a span: things a left-to-right model cannot do.
// A hole is [[MASK:2]] (2 words), [[MASK:<=12]] (at most 12 words), [[MASK:<=20c]] (characters) or [[MASK:8t]] (tokens).
// Usage: dotnet run --project examples/SkDiffusion.InfillingEditor [-- "text with [[MASK:1]] holes"]
using System.CommandLine;
using SkDiffusion.DefaultModel;
using SkDiffusion.Examples.Shared;
using SkDiffusion.InfillingEditor;
using SkDiffusion.SemanticKernel.Infilling;
using SkDiffusion.Extensions.AI;

Argument<string?> documentArgument = new("document") { Description = "A text with holes such as [[MASK:2]] (default: the demo documents).", Arity = ArgumentArity.ZeroOrOne };
ParseResult parsed = new RootCommand("Fills holes in a text from the context on both sides, then rewrites a span.") { documentArgument }.Parse(args);
if (ExampleCommandLine.Handle(parsed) is int exit)
{
    return exit;
}

string? document = parsed.GetValue(documentArgument);
using var model = DiffusionModel.Load(EmbeddedModel.PackageDirectory);
var editor = DiffusionInfillingService.Create(model);

IReadOnlyList<InfillingResult> results = document is not null ? [await editor.InfillAsync(document)] : await InfillingDemo.RunAsync(editor);
string[] documents = document is not null ? [document] : [.. InfillingDemo.Documents];
for (int i = 0; i < results.Count; i++)
{
    Console.WriteLine($"in:  {documents[i]}\nout: {results[i].Text}");
    foreach (var hole in results[i].Holes)
    {
        Console.WriteLine($"  hole {hole.Index}: [{hole.Start}, {hole.Start + hole.Length}) \"{hole.Text}\" ({hole.TokenCount} tokens)");
    }
}

// Rewrite the first hole again, from the text around it (at most 1 word).
var first = results[0].Holes[0];
var rewritten = await editor.RewriteSpanAsync(results[0].Text, first.Start, first.Length, maxWords: 1);
Console.WriteLine($"rewrite [{first.Start}, {first.Start + first.Length}): {rewritten.Text}");

return 0;
