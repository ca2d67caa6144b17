using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace SkDiffusion.Tests.Conformance;

/// <summary>Structured output on the embedded model: typed results, arrays of objects, schema-less JSON.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class StructuredOutputConformanceTests(EmbeddedChatFixture fixture)
{
    private const string Sentence = "Extract JSON: Kutaim Goubroum is 57 years old, lives in Neinoth and works as a builder. They are married.";

    public sealed record Person(string Name, int Age, string City, string Job, bool Married);

    public sealed record City(string Name);

    public sealed record Profile(string Name, Uri Homepage, DateOnly Joined, Guid Id);

    public sealed record Team(string Name, List<Team>? Parts);

    public sealed record Rating([property: Range(0.0, 1.0)] double Score, [property: Range(-2.5, 2.5)] double Shift);

    private static ChatOptions Sizes() => new() { Seed = 1, AdditionalProperties = new() { ["json_string_tokens"] = 4, ["json_array_items"] = 2 } };

    [Fact]
    public async Task A_record_comes_back_typed_and_the_text_follows_its_schema()
    {
        using var client = fixture.Client();
        var response = await client.GetResponseAsync<Person>(Sentence, Sizes());
        Assert.True(response.TryGetResult(out var person), response.Text);
        Assert.NotNull(person!.Name);
        using var doc = JsonDocument.Parse(response.Text);
        Assert.Equal(["name", "age", "city", "job", "married"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Number, doc.RootElement.GetProperty("age").ValueKind);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Theory]
    [InlineData("JSON please: Meet Kebrain Meibruzim, a 32-year-old nurse from Reistedai; married.")]
    [InlineData("Name: Lou Maivoum. Age: 76. City: Thamail. Job: chef. Married.")]
    public async Task Copy_strings_returns_only_values_copied_from_the_users_text(string prompt)
    {
        using var client = fixture.Client();
        var options = new ChatOptions { Seed = 1, AdditionalProperties = new() { ["copy_strings"] = true } };
        var response = await client.GetResponseAsync<Person>(prompt, options);
        Assert.True(response.TryGetResult(out var person), response.Text);
        foreach (string value in new[] { person!.Name, person.City, person.Job })
        {
            Assert.Contains(value, prompt, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Copy_strings_must_be_a_boolean()
    {
        using var client = fixture.Client();
        var options = new ChatOptions { AdditionalProperties = new() { ["copy_strings"] = "often" } };
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => client.GetResponseAsync<Person>(Sentence, options));
        Assert.Contains("copy_strings", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Range_attributes_on_doubles_bound_the_numbers_written()
    {
        var schema = AIJsonUtilities.CreateJsonSchema(typeof(Rating)).GetRawText();
        Assert.Contains("\"maximum\"", schema, StringComparison.Ordinal);
        using var client = fixture.Client();
        for (int seed = 1; seed <= 3; seed++)
        {
            var response = await client.GetResponseAsync<Rating>(Sentence, new ChatOptions { Seed = seed, Temperature = 1f });
            Assert.True(response.TryGetResult(out var rating), response.Text);
            Assert.InRange(rating!.Score, 0.0, 1.0);
            Assert.InRange(rating.Shift, -2.5, 2.5);
            using var doc = JsonDocument.Parse(response.Text);
            Assert.DoesNotContain("e", doc.RootElement.GetProperty("score").GetRawText().ToLower(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Uris_dates_and_guids_deserialize_into_their_types()
    {
        using var client = fixture.Client();
        var response = await client.GetResponseAsync<Profile>(Sentence, Sizes());
        Assert.True(response.TryGetResult(out var profile), response.Text);
        Assert.True(profile!.Homepage.IsAbsoluteUri, response.Text);
    }

    [Fact]
    public async Task A_recursive_record_deserializes_within_the_recursion_depth()
    {
        static int Depth(Team t) => 1 + (t.Parts is { Count: > 0 } parts ? parts.Max(Depth) : 0);
        using var client = fixture.Client();
        var response = await client.GetResponseAsync<Team>("Name a team and its parts.", Sizes());
        Assert.True(response.TryGetResult(out var team), response.Text);
        Assert.NotNull(team!.Name);
        Assert.InRange(Depth(team), 1, 1 + SkDiffusion.Grammars.GrammarOptions.Default.MaxRecursionDepth);
    }

    [Fact]
    public async Task Arrays_of_objects_deserialize()
    {
        using var client = fixture.Client();
        var response = await client.GetResponseAsync<City[]>("Name two cities.", Sizes());
        Assert.True(response.TryGetResult(out var cities), response.Text);
        Assert.NotNull(cities);
        Assert.InRange(cities!.Length, 0, 2);
        Assert.All(cities, c => Assert.NotNull(c.Name));
    }

    [Fact]
    public async Task Schema_less_json_is_json()
    {
        using var client = fixture.Client();
        foreach (string prompt in new[] { Sentence, "Hello!" })
        {
            var response = await client.GetResponseAsync(prompt, new ChatOptions { ResponseFormat = ChatResponseFormat.Json, MaxOutputTokens = 48, Seed = 1 });
            using var doc = JsonDocument.Parse(response.Text);
            Assert.Contains(doc.RootElement.ValueKind, new[] { JsonValueKind.Object, JsonValueKind.Array });
        }
    }

    [Fact]
    public async Task Streaming_structured_output_gives_the_same_json()
    {
        using var client = fixture.Client();
        var whole = await client.GetResponseAsync<Person>(Sentence, Sizes());
        var options = Sizes();
        options.ResponseFormat = ChatResponseFormat.ForJsonSchema<Person>();
        var streamed = string.Concat(await client.GetStreamingResponseAsync(Sentence, options).Select(u => u.Text).ToListAsync());
        Assert.Equal(whole.Text, streamed);
    }
}
