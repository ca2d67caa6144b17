using SkDiffusion.Templates;
using SkDiffusion.Templates.Holes;

namespace SkDiffusion.Tests.Infilling;

/// <summary>The hole syntax: words by default, characters and tokens on request, malformed markers refused with their offset.</summary>
public sealed class HoleDocumentTests
{
    public static TheoryData<string, int, HoleUnit, bool> Forms => new()
    {
        { "[[MASK:2]]", 2, HoleUnit.Words, false },
        { "[[MASK:<=12]]", 12, HoleUnit.Words, true },
        { "[[MASK:3w]]", 3, HoleUnit.Words, false },
        { "[[MASK:20c]]", 20, HoleUnit.Characters, false },
        { "[[MASK:<=20c]]", 20, HoleUnit.Characters, true },
        { "[[MASK:8t]]", 8, HoleUnit.Tokens, false },
        { "[[MASK:<=8t]]", 8, HoleUnit.Tokens, true },
        { "[[MASK]]", HoleDocument.DefaultWords, HoleUnit.Words, true },
    };

    public static TheoryData<string, int, string> Malformed => new()
    {
        { "The capital is [[MASK:3", 15, "never closed" },
        { "The capital is [[MASK:3 and [[MASK:1]]", 15, "never closed" },
        { "Say [[MASK : 3]] now", 4, "malformed" },
        { "Say [[MASK:0]] now", 4, "length 0" },
        { "Say [[MASK:<=0c]] now", 4, "length 0" },
        { "Say [[MASK:-2]] now", 4, "negative" },
        { "ab [[MASK:99999999999999]]", 3, "above the limit of 256 words" },
        { "ab [[MASK:257]]", 3, "above the limit of 256 words" },
        { "ab [[MASK:<=1025t]]", 3, "above the limit of 1024 tokens" },
        { "ab [[MASK:2x]]", 3, "no whole-number length" },
        { "ab [[MASK:]]", 3, "no whole-number length" },
        { "ab [[MASKED]]", 3, "malformed" },
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public void Each_form_parses_to_its_count_unit_and_bound(string marker, int count, HoleUnit unit, bool atMost)
    {
        var document = HoleDocument.Parse($"Before {marker} after.");
        var hole = Assert.Single(document.Holes);
        Assert.Equal(new HoleLength(count, unit, atMost), hole);
        Assert.Equal(["Before ", " after."], document.Texts);
        Assert.Equal(7, document.HoleOffsets[0]);
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_markers_are_refused_with_their_offset(string text, int position, string message)
    {
        var error = Assert.Throws<TemplateException>(() => HoleDocument.Parse(text));
        Assert.Equal(position, error.Position);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_document_without_a_hole_is_refused()
    {
        var error = Assert.Throws<TemplateException>(() => HoleDocument.Parse("nothing to fill"));
        Assert.Contains("no hole", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Escaped_markers_and_lengths_round_trip()
    {
        string literal = "a [[MASK:2]] b";
        var document = HoleDocument.Parse(HoleDocument.Escape(literal) + " [[MASK:<=5c]]");
        Assert.Equal([literal + " ", ""], document.Texts);
        Assert.Equal("[[MASK:<=5c]]", document.Holes[0].ToString());
        Assert.Equal("[[MASK:2]]", HoleLength.Words(2).ToString());
        Assert.Equal(HoleLength.Words(2), HoleDocument.Parse("x" + HoleLength.Words(2)).Holes[0]);
    }

    [Fact]
    public void Built_documents_check_their_pieces()
    {
        Assert.Throws<ArgumentException>(() => HoleDocument.Create(["a"], [HoleLength.Words(1)]));
        Assert.Throws<ArgumentException>(() => HoleDocument.Create(["a", "b"], [default]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HoleLength(0, HoleUnit.Words, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HoleLength(HoleLength.MaxWords + 1, HoleUnit.Words, true));
        var built = HoleDocument.Create(["x [[MASK", " y"], [HoleLength.AtMostWords(3)]);
        Assert.Equal("x [[MASK", built.Texts[0]);
        Assert.Equal(8, built.HoleOffsets[0]);
    }
}
