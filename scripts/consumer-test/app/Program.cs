// The consumer app of scripts/consumer-test/run.sh: what a user writes after adding the SkDiffusion packages to a new
// console app. Prints the provider and one answer of the embedded model; exit code 3 when no native ONNX Runtime
// package is referenced (the error names the package to add).
using Microsoft.Extensions.AI;
using SkDiffusion.DefaultModel;
using SkDiffusion.Denoising;
using SkDiffusion.Extensions.AI;
using SkDiffusion.Packaging;

string directory = EmbeddedModel.PackageDirectory;
Console.WriteLine($"package: {directory}");
try
{
    using OnnxDenoiser denoiser = OnnxDenoiser.Create(ModelPackage.Load(directory));
    Console.WriteLine($"provider: {denoiser.ActiveProvider}");
}
catch (DllNotFoundException ex)
{
    Console.WriteLine($"missing native library: {ex.Message}");
    return 3;
}

using IChatClient client = new DiffusionChatClient(directory);
ChatResponse response = await client.GetResponseAsync("What is the capital of Gebeivaith?", new ChatOptions { MaxOutputTokens = 24 });
Console.WriteLine($"answer tokens: {response.Usage?.OutputTokenCount}");
Console.WriteLine($"answer: {response.Text}");
return string.IsNullOrWhiteSpace(response.Text) ? 1 : 0;
