using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using SkDiffusion.Extensions.AI;
using SkDiffusion.SemanticKernel.Settings;

namespace SkDiffusion.Examples.AgentWithPlugin;

/// <summary>
/// Function calling on the diffusion model, twice: through Semantic Kernel (<see cref="FunctionChoiceBehavior"/> in the
/// prompt's execution settings, the kernel invokes the function) and through Microsoft.Extensions.AI
/// (<c>UseFunctionInvocation</c> over the chat client). In both the model writes the call's arguments as JSON that
/// follows the function's parameter schema.
/// </summary>
public static class AgentDemo
{
    /// <summary>The request: a sentence about a person from the model's world.</summary>
    public const string Request = "Extract JSON: Lina Varosk is 42 years old, lives in Tolbreth and works as a pilot. They are married.";

    /// <summary>Semantic Kernel: a prompt whose settings require a call of <c>people.save_person</c>.</summary>
    /// <param name="packageDirectory">The model package.</param>
    /// <param name="output">Where the calls and the reply are printed.</param>
    /// <param name="request">The request (default <see cref="Request"/>).</param>
    /// <returns>The plugin, with the people the model saved.</returns>
    public static async Task<PeopleDirectory> RunKernelAsync(string packageDirectory, TextWriter output, string request = Request)
    {
        var kernel = Kernel.CreateBuilder().AddDiffusionChatCompletion(packageDirectory).Build();
        // The call is the answer: stop after the function ran instead of asking the model to comment on its result.
        kernel.AutoFunctionInvocationFilters.Add(new TerminateAfterCall());
        var people = new PeopleDirectory(output);
        var plugin = kernel.Plugins.AddFromObject(people, "people");
        var settings = new DiffusionPromptExecutionSettings
        {
            FunctionChoiceBehavior = FunctionChoiceBehavior.Required([plugin["save_person"]]),
        };

        output.WriteLine("Semantic Kernel, FunctionChoiceBehavior.Required:");
        await kernel.InvokePromptAsync(request, new KernelArguments(settings));
        output.WriteLine($"  people saved: {people.Saved.Count}");
        return people;
    }

    /// <summary>Microsoft.Extensions.AI: the same call through <c>UseFunctionInvocation</c>.</summary>
    /// <param name="model">The loaded model.</param>
    /// <param name="output">Where the calls and the reply are printed.</param>
    /// <param name="request">The request (default <see cref="Request"/>).</param>
    /// <returns>The plugin, with the people the model saved.</returns>
    public static async Task<PeopleDirectory> RunChatClientAsync(DiffusionModel model, TextWriter output, string request = Request)
    {
        using var client = new DiffusionChatClient(model).AsBuilder().UseFunctionInvocation().Build();
        var people = new PeopleDirectory(output);
        var options = new ChatOptions
        {
            Tools = [AIFunctionFactory.Create(
                (string name, int age, string city, string job, bool married) =>
                {
                    // The call is the answer: stop after the function ran.
                    FunctionInvokingChatClient.CurrentContext!.Terminate = true;
                    return people.SavePerson(name, age, city, job, married);
                },
                "save_person",
                "Saves a person to the directory.")],
            ToolMode = ChatToolMode.RequireAny,
        };

        output.WriteLine("Microsoft.Extensions.AI, UseFunctionInvocation:");
        var response = await client.GetResponseAsync(request, options);
        var result = response.Messages.SelectMany(m => m.Contents).OfType<Microsoft.Extensions.AI.FunctionResultContent>().LastOrDefault();
        output.WriteLine($"  function result: {result?.Result}");
        return people;
    }
}
