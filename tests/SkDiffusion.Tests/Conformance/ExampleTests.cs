using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using SkDiffusion.Denoising;
using SkDiffusion.Examples.AgentWithPlugin;
using SkDiffusion.Examples.HostedService;
using SkDiffusion.Extensions.AI;
using SkDiffusion.SemanticKernel.Infilling;

namespace SkDiffusion.Tests.Conformance;

/// <summary>
/// The examples' main paths on the embedded model print the right answers: the expected answers come from
/// <c>models/eval/known-good.json</c> (the extraction case for the function-calling example, the fact question for the
/// hosted service).
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class ExampleTests(EmbeddedChatFixture fixture)
{
    private static KnownGood Extraction() => EmbeddedChatFixture.KnownGoodCases().First(c => c.Answer.StartsWith('{'));

    private static KnownGood Fact() => EmbeddedChatFixture.KnownGoodCases().First(c => !c.Answer.StartsWith('{'));

    private static void AssertSavedAsKnownGood(PeopleDirectory people, string output)
    {
        var saved = Assert.Single(people.Saved);
        using var expected = JsonDocument.Parse(Extraction().Answer);
        var e = expected.RootElement;
        Assert.Equal(new SavedPerson(e.GetProperty("name").GetString()!, e.GetProperty("age").GetInt32(), e.GetProperty("city").GetString()!, e.GetProperty("job").GetString()!, e.GetProperty("married").GetBoolean()), saved);
        Assert.Contains($"save_person(name: {saved.Name}, age: {saved.Age}", output);
    }

    [Fact]
    public async Task Agent_with_plugin_saves_the_person_through_semantic_kernel()
    {
        var output = new StringWriter();
        var people = await AgentDemo.RunKernelAsync(EmbeddedChatFixture.PackageDirectory, output, Extraction().Prompt);
        AssertSavedAsKnownGood(people, output.ToString());
    }

    [Fact]
    public async Task Agent_with_plugin_saves_the_person_through_use_function_invocation()
    {
        var output = new StringWriter();
        var people = await AgentDemo.RunChatClientAsync(fixture.Observed().Model, output, Extraction().Prompt);
        AssertSavedAsKnownGood(people, output.ToString());
        Assert.Contains($"function result: Saved {people.Saved[0].Name}.", output.ToString());
    }

    [Fact]
    public async Task Hosted_service_answers_the_known_good_question_through_the_di_pipeline()
    {
        var services = new ServiceCollection();
        services.AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(new ListLoggerProvider());
        var cpu = new DiffusionModelOptions { Denoiser = new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 } };
        services.AddDiffusionChatClient(EmbeddedChatFixture.PackageDirectory, cpu).UseLogging().UseOpenTelemetry(sourceName: "SkDiffusion.HostedService");
        services.AddDiffusionInfilling(EmbeddedChatFixture.PackageDirectory, options: cpu);
        using var provider = services.BuildServiceProvider();
        var output = new StringWriter();
        var fact = Fact();
        string answer = await HostedDemo.RunAsync(provider.GetRequiredService<IChatClient>(), provider.GetRequiredService<DiffusionInfillingService>(), output, CancellationToken.None, fact.Prompt, fact.AnswerLength);
        Assert.Equal(fact.Answer, answer);
        Assert.Contains($"chat:   {fact.Answer}", output.ToString());
        Assert.Matches(@"infill: Lina Varosk is 42 years old and works as a \S+\.", output.ToString());
    }
}
