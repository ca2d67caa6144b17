using System.Globalization;
using SkDiffusion.Grammars;

namespace SkDiffusion.Tests.Grammars;

/// <summary><c>multipleOf</c> on integers and numbers: exact over windows of values, and its errors.</summary>
public sealed class MultipleOfTests
{
    private static string Text(int v) => v.ToString(CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("1", 1)]
    [InlineData("2", 2)]
    [InlineData("3", 3)]
    [InlineData("7", 7)]
    [InlineData("25", 25)]
    [InlineData("2.5", 5)]
    [InlineData("0.5", 1)]
    [InlineData("12", 12)]
    public void Integers_are_exactly_the_multiples_in_the_range(string q, int divisor)
    {
        var g = GrammarTestKit.ByteSchema($$"""{"type":"integer","minimum":-400,"maximum":650,"multipleOf":{{q}}}""");
        for (int v = -1000; v <= 1000; v++)
        {
            bool expected = v >= -400 && v <= 650 && v % divisor == 0;
            Assert.True(expected == g.Matches(Text(v)), $"multipleOf {q}: {v}");
        }

        Assert.False(g.Matches("-0"));
        Assert.False(g.Matches("00"));
    }

    [Fact]
    public void Numbers_take_at_most_the_fraction_digits_of_the_multiple()
    {
        var g = GrammarTestKit.ByteSchema("""{"type":"number","minimum":0,"maximum":3,"multipleOf":0.25}""");
        for (int hundredths = -100; hundredths <= 400; hundredths++)
        {
            decimal v = hundredths / 100m;
            string text = v.ToString("0.##", CultureInfo.InvariantCulture);
            bool expected = hundredths >= 0 && hundredths <= 300 && hundredths % 25 == 0;
            Assert.True(expected == g.Matches(text), $"0.25: {text}");
        }

        foreach (string bad in new[] { "1e0", "2.5e-1", "0.250", "1.", ".5", "3.25" })
        {
            Assert.False(g.Matches(bad), bad);
        }
    }

    [Fact]
    public void Unbounded_numbers_with_cents() => GrammarTestKit.CheckByteSchema(
        """{"type":"number","multipleOf":0.01}""",
        ["19.99", "-3.5", "0", "7", "0.01", "1234567.89"],
        ["1.001", "1e2", "0.005", "-"]);

    [Fact]
    public void Unbounded_integers_keep_the_default_nine_digits() => GrammarTestKit.CheckByteSchema(
        """{"type":"integer","multipleOf":9}""",
        ["999999999", "-123456789", "0"],
        ["123456788", "1000000008"]);

    [Fact]
    public void A_property_with_multipleOf_alone_is_a_number_inside_an_object() => Assert.True(
        GrammarTestKit.ByteSchema("""{"type":"object","properties":{"step":{"multipleOf":5,"maximum":20,"minimum":0}},"required":["step"]}""").Matches("""{"step": 15}"""));

    [Theory]
    [InlineData("""{"type":"integer","multipleOf":0}""", "/multipleOf", "greater than 0")]
    [InlineData("""{"type":"integer","multipleOf":-3}""", "/multipleOf", "greater than 0")]
    [InlineData("""{"type":"integer","multipleOf":"3"}""", "/multipleOf", "must be a number")]
    [InlineData("""{"type":"integer","multipleOf":10000000}""", "/multipleOf", "at most 1,000,000")]
    [InlineData("""{"type":"object","properties":{"n":{"type":"integer","minimum":1,"maximum":4,"multipleOf":5}}}""", "/properties/n/multipleOf", "no value allowed here")]
    [InlineData("""{"type":"integer","multipleOf":999983}""", "/multipleOf", "GrammarOptions.MaxStates")]
    public void Bad_multiples_name_the_keyword(string schema, string pointer, string text) =>
        GrammarTestKit.CheckByteSchemaRefused(schema, pointer, text);
}
