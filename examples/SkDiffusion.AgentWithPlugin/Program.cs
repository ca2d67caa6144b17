// Function calling on the embedded diffusion model: Semantic Kernel's FunctionChoiceBehavior, then
// Microsoft.Extensions.AI's UseFunctionInvocation. The model chooses the call and writes its arguments as JSON that
// follows the function's parameter schema; the kernel (or the function-invoking client) runs it.
// Usage: dotnet run --project examples/SkDiffusion.AgentWithPlugin
using SkDiffusion.DefaultModel;
using SkDiffusion.Examples.AgentWithPlugin;
using SkDiffusion.Extensions.AI;

Console.WriteLine($"User: {AgentDemo.Request}");
await AgentDemo.RunKernelAsync(EmbeddedModel.PackageDirectory, Console.Out);
using var model = DiffusionModel.Load(EmbeddedModel.PackageDirectory);
await AgentDemo.RunChatClientAsync(model, Console.Out);
