using System.Text.Json;
using SkDiffusion.Grammars;
using SkDiffusion.Grammars.Internal;

namespace SkDiffusion.Tests.Grammars;

/// <summary>Extractive strings (<see cref="GrammarOptions.CopySource"/>): mechanics on a byte vocabulary.</summary>
public sealed class CopyStringGrammarTests
{
    private const string Source = "Meet Kebrain Meibruzim, a 32-year-old nurse from Reistedai; O'Neil says hi.";

    private static TokenGrammar Schema(string json, string? source, int maxWords = 6) =>
        TokenGrammar.FromJsonSchema(JsonDocument.Parse(json).RootElement, GrammarTestKit.Bytes, new GrammarOptions { CopySource = source, CopyMaxWords = maxWords });

    [Fact]
    public void Words_keep_inner_apostrophes_and_hyphens_but_not_trailing_punctuation()
    {
        var words = CopySpans.Words(Source).Select(w => Source[w.Start..w.End]).ToArray();
        Assert.Equal(["Meet", "Kebrain", "Meibruzim", "a", "32-year-old", "nurse", "from", "Reistedai", "O'Neil", "says", "hi"], words);
    }

    [Fact]
    public void Spans_are_runs_of_whole_words_with_the_source_text_between_them()
    {
        var spans = CopySpans.Find(Source, maxWords: 2);
        Assert.Contains("Kebrain Meibruzim", spans);
        Assert.Contains("Meibruzim, a", spans);
        Assert.Contains("Reistedai; O'Neil", spans);
        Assert.DoesNotContain("Kebrain Meibruzim, a", spans);
        Assert.DoesNotContain("Meibruz", spans);
        Assert.Equal(spans.Count, spans.Distinct().Count());
    }

    [Fact]
    public void Free_strings_must_be_copied_spans_and_other_types_are_unchanged()
    {
        var g = Schema("""{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"job":{"enum":["nurse","pilot"]}},"required":["name","age","job"]}""", Source);
        Assert.True(g.Matches("""{"name": "Kebrain Meibruzim", "age": 32, "job": "nurse"}"""));
        Assert.True(g.Matches("""{"name": "", "age": 7, "job": "pilot"}"""));
        Assert.False(g.Matches("""{"name": "Kebrain Meibruz", "age": 32, "job": "nurse"}"""), "a truncated word is not a copy");
        Assert.False(g.Matches("""{"name": "Zeimaith Muklei", "age": 32, "job": "nurse"}"""), "an invented name is not a copy");
        Assert.False(g.Matches("""{"name": "ebrain", "age": 32, "job": "nurse"}"""), "a span starts at a word start");

        var free = Schema("""{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""", null);
        Assert.True(free.Matches("""{"name": "Zeimaith Muklei"}"""));
    }

    [Fact]
    public void Length_bounds_filter_the_spans_and_min_length_drops_the_empty_string()
    {
        var g = Schema("""{"type":"string","minLength":5,"maxLength":9}""", Source);
        Assert.True(g.Matches("\"Reistedai\""));
        Assert.False(g.Matches("\"\""));
        Assert.False(g.Matches("\"Meet\""));
        Assert.False(g.Matches("\"Kebrain Meibruzim\""));
    }

    [Fact]
    public void Quotes_and_backslashes_in_the_source_are_escaped_in_the_value()
    {
        var g = Schema("""{"type":"string"}""", "She said \"Go\" to Lin\\Ko", maxWords: 3);
        Assert.True(g.Matches("\"Go\\\" to Lin\""));
        Assert.False(g.Matches("\"Go\" to Lin\""));
    }

    [Fact]
    public void Span_length_is_bounded_by_the_word_limit()
    {
        var g = Schema("""{"type":"string"}""", "one two three four", maxWords: 2);
        Assert.True(g.Matches("\"two three\""));
        Assert.False(g.Matches("\"one two three\""));
    }

    [Fact]
    public void A_source_without_words_leaves_only_the_empty_string_and_a_required_value_fails_clearly()
    {
        Assert.True(Schema("""{"type":"string"}""", "... !!").Matches("\"\""));
        var ex = Assert.Throws<GrammarException>(() => Schema("""{"type":"object","properties":{"n":{"type":"string","minLength":1}}}""", "... !!"));
        Assert.Equal("/properties/n", ex.Pointer);
        Assert.Contains("copy source", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_are_validated_and_copy_grammars_are_not_cached()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Schema("""{"type":"string"}""", Source, maxWords: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schema("""{"type":"string"}""", new string('a', GrammarOptions.MaxCopySourceLength + 1)));
        Assert.NotSame(Schema("""{"type":"string"}""", Source), Schema("""{"type":"string"}""", Source));
        Assert.Same(Schema("""{"type":"string"}""", null), Schema("""{"type":"string"}""", null));
    }
}
