using System.Text.Json;
using SkDiffusion.InfillingEditor;
using SkDiffusion.Templates.Holes;

namespace SkDiffusion.Tests.Infilling;

/// <summary>
/// <c>InfillAsync</c> on the embedded model returns the fixed text intact and holes without padding or junk. The
/// filled values are the model's (it is retrained from time to time); only the example's documents, whose answers
/// the corpus defines, are compared with <c>models/eval/known-good.json</c>.
/// </summary>
public sealed class EmbeddedInfillingTests(EmbeddedInfillingFixture embedded) : IClassFixture<EmbeddedInfillingFixture>
{
    [Theory]
    [InlineData("The capital of Feshai is [[MASK:<=2]].")]
    [InlineData("The currency of Rurou is the [[MASK:1]]. People in Rurou speak [[MASK:20c]].")]
    [InlineData("[[MASK:<=3]] is a baker from Zelelem.")]
    public async Task Holes_come_back_without_padding_and_the_fixed_text_intact(string text)
    {
        var document = HoleDocument.Parse(text);
        var result = await embedded.Service.InfillAsync(text);
        Assert.Equal(document.Holes.Count, result.Holes.Count);

        int at = 0;
        for (int i = 0; i < result.Holes.Count; i++)
        {
            var hole = result.Holes[i];
            Assert.Equal(document.Texts[i], result.Text[at..hole.Start]);
            Assert.Equal(hole.Text, result.Text.Substring(hole.Start, hole.Length));
            Assert.InRange(hole.TokenCount, 0, embedded.Service.Holes.TokenBudget(document.Holes[i]));
            Assert.DoesNotContain("<|", hole.Text, StringComparison.Ordinal);
            Assert.DoesNotContain('\uFFFD', hole.Text);
            Assert.Equal(hole.Text.Trim(), hole.Text);
            var length = document.Holes[i];
            if (length.Unit == HoleUnit.Words)
            {
                Assert.InRange(hole.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, length.AtMost ? 0 : 1, length.Count);
            }
            else
            {
                Assert.InRange(hole.Text.Length, 0, length.Count);
            }

            at = hole.Start + hole.Length;
        }

        Assert.Equal(document.Texts[^1], result.Text[at..]);
        Assert.Equal(result.Text, (await embedded.Service.InfillAsync(text)).Text);
    }

    [Fact]
    public async Task Rewriting_a_span_keeps_the_rest_and_checks_its_arithmetic()
    {
        const string document = "The capital of Feshai is Paris. People in Feshai speak Sidoish.";
        var edited = await embedded.Service.RewriteSpanAsync(document, 25, 5, maxWords: 1);
        var hole = Assert.Single(edited.Holes);
        Assert.Equal(document[..25] + hole.Text + document[30..], edited.Text);
        Assert.InRange(hole.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, 0, 1);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => embedded.Service.RewriteSpanAsync(document, 10, int.MaxValue, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => embedded.Service.RewriteSpanAsync(document, int.MaxValue, 1, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => embedded.Service.RewriteSpanAsync(document, 0, 1, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => embedded.Service.RewriteSpanAsync(document, 0, 1, HoleLength.MaxWords + 1));
    }

    [Fact]
    public async Task The_InfillingEditor_example_prints_the_known_good_answers()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "known-good.json")));
        var expected = json.RootElement.GetProperty("infilling").EnumerateArray()
            .Where(e => e.TryGetProperty("infill", out _))
            .ToDictionary(e => e.GetProperty("infill").GetString()!, e => e.GetProperty("answer").GetString()!);

        var results = await InfillingDemo.RunAsync(embedded.Service);
        Assert.Equal(InfillingDemo.Documents.Count, results.Count);
        for (int i = 0; i < results.Count; i++)
        {
            Assert.True(expected.TryGetValue(InfillingDemo.Documents[i], out string? answer), $"known-good.json has no infilling entry for '{InfillingDemo.Documents[i]}'.");
            Assert.Equal(answer, results[i].Text);
        }
    }
}
