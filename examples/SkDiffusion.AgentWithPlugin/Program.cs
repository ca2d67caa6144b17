// A Semantic Kernel agent loop with the DiffusionPlugin: the model picks a tool with an enum template, its arguments
// come from a JSON-schema template of the tool's parameters (so they always parse), and the kernel invokes it.
// Usage: dotnet run --project examples/SkDiffusion.AgentWithPlugin
using System.ComponentModel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using SkDiffusion.DefaultModel;
using SkDiffusion.SemanticKernel.Extensions;
using SkDiffusion.SemanticKernel.Infilling;
using SkDiffusion.SemanticKernel.Plugins;
using SkDiffusion.Templates;

var kernel = Kernel.CreateBuilder()
    .AddDiffusionChatCompletion(EmbeddedModel.PackageDirectory)
    .AddDiffusionInfilling(EmbeddedModel.PackageDirectory)
    .Build();
var infilling = kernel.GetRequiredService<DiffusionInfillingService>();
kernel.Plugins.AddFromObject(DiffusionPlugin.Create(infilling), "diffusion");
kernel.Plugins.AddFromType<WorldFacts>("world");

// 1. Call a plugin function directly through the kernel.
var infilled = await kernel.InvokeAsync<string>("diffusion", "infill", new() { ["document"] = "The capital of Spain is [[MASK:1]]." });
Console.WriteLine($"infill:   {infilled}");

// 2. Pick a tool: the answer is constrained to the function names.
string request = "Which currency is used in Japan?";
var tools = kernel.Plugins["world"].ToList();
var pick = await infilling.FillTemplateAsync(request, TextTemplate.Parse($"{{{{tool:enum({string.Join('|', tools.Select(t => t.Name))})}}}}"));
var tool = tools.Single(t => t.Name == (string)pick["tool"].Value!);
Console.WriteLine($"tool:     {tool.Name}");

// 3. Fill the tool's arguments from its parameter schema and invoke it.
var client = kernel.Services.GetRequiredService<IChatClient>();
var arguments = await DiffusionToolArguments.GenerateAsync(client, tool, request, new ChatOptions { AdditionalProperties = new() { ["json_string_tokens"] = 4 } });
Console.WriteLine($"args:     {string.Join(", ", arguments.Select(a => $"{a.Key}={a.Value}"))}");
var result = await tool.InvokeAsync(kernel, arguments);
Console.WriteLine($"result:   {result}");

/// <summary>A tiny plugin the agent can call.</summary>
internal sealed class WorldFacts
{
    private static readonly Dictionary<string, (string Capital, string Currency)> Facts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Japan"] = ("Tokyo", "yen"),
        ["France"] = ("Paris", "euro"),
        ["Spain"] = ("Madrid", "euro"),
    };

    /// <summary>Looks up the capital of a country.</summary>
    [KernelFunction("capital_of")]
    [Description("Returns the capital city of a country.")]
    public static string CapitalOf([Description("The country.")] string country) =>
        Facts.TryGetValue(country.Trim(), out var f) ? f.Capital : $"unknown country '{country}'";

    /// <summary>Looks up the currency of a country.</summary>
    [KernelFunction("currency_of")]
    [Description("Returns the currency of a country.")]
    public static string CurrencyOf([Description("The country.")] string country) =>
        Facts.TryGetValue(country.Trim(), out var f) ? f.Currency : $"unknown country '{country}'";
}
