using System.Text;
using System.Text.RegularExpressions;
using SkDiffusion.Grammars;
using SkDiffusion.Grammars.Internal;

namespace SkDiffusion.Tests.Grammars;

public sealed class RegexLanguageTests
{
    public static TheoryData<string> Patterns => new()
    {
        "a*b", "(ab|cd)+e?", "[a-c]{2,4}", "x(y|z)*", "[^ab]+", @"\d{1,3}(\.\d+)?", "(a|b)*abb", "é+[à-ü]?", ".{0,3}",
        @"\w+\s?\d", "(?:a|)b{2,}", "a{3}|b{1,2}c", @"[\d.]+", "^ab$", "(x|é)*?y?", @"\.\d",
    };

    [Theory]
    [MemberData(nameof(Patterns))]
    public void Automaton_agrees_with_System_Text_RegularExpressions_on_random_strings(string pattern)
    {
        var grammar = TokenGrammar.FromRegex(pattern, GrammarTestKit.Bytes);
        var reference = new Regex(@"\A(?:" + pattern.TrimStart('^').TrimEnd('$').Replace(@"\w", "[0-9A-Za-z_]", StringComparison.Ordinal) + @")\z", RegexOptions.CultureInvariant);
        var rng = new Random(pattern.GetHashCode(StringComparison.Ordinal));
        string alphabet = "abcdexyz.019 _éàü\n";
        for (int n = 0; n < 3000; n++)
        {
            var sb = new StringBuilder();
            int len = rng.Next(0, 7);
            for (int i = 0; i < len; i++)
            {
                sb.Append(alphabet[rng.Next(alphabet.Length)]);
            }

            string s = sb.ToString();
            bool expected = reference.IsMatch(s);
            Assert.True(expected == grammar.Matches(s), $"pattern {pattern}, input '{s}': expected {expected}");
        }
    }

    [Theory]
    [InlineData("a(b", 1)]
    [InlineData("ab)", 2)]
    [InlineData(@"(\1)", 1)]
    [InlineData("(?=a)b", 0)]
    [InlineData("a{5,2}", 1)]
    [InlineData("*a", 0)]
    [InlineData("a^b", 1)]
    [InlineData("a$b", 1)]
    [InlineData(@"\bword", 0)]
    [InlineData("[a-", 0)]
    [InlineData("[z-a]", 2)]
    [InlineData("a{2000}", 1)]
    public void Unsupported_or_malformed_patterns_name_the_offset(string pattern, int offset)
    {
        var ex = Assert.Throws<GrammarException>(() => TokenGrammar.FromRegex(pattern, GrammarTestKit.Bytes));
        Assert.Equal(offset, ex.Offset);
        Assert.Contains(pattern, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void State_explosion_is_refused_with_the_limit_in_the_message()
    {
        // (a|b)*a(a|b){n}: the classic subset-construction blow-up (2^n states).
        var ex = Assert.Throws<GrammarException>(() => TokenGrammar.FromRegex("(a|b)*a(a|b){14}", GrammarTestKit.Bytes, new GrammarOptions { MaxStates = 1000 }));
        Assert.Contains("MaxStates", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Utf8_lowering_spells_every_code_point_of_a_class_and_nothing_else()
    {
        var set = CodepointSet.Of((0x7A, 0x800), (0xFFF0, 0x10010));
        var dfa = Dfa.Build(set.ToNode(), 1000);
        foreach (int cp in new[] { 0x79, 0x7A, 0x7F, 0x80, 0x7FF, 0x800, 0x801, 0xFFEF, 0xFFF0, 0xFFFF, 0x10000, 0x10010, 0x10011 })
        {
            bool expected = set.Contains(cp);
            Assert.Equal(expected, dfa.Matches(Encoding.UTF8.GetBytes(char.ConvertFromUtf32(cp))));
        }

        Assert.False(dfa.Matches([0xED, 0xA0, 0x80])); // an encoded surrogate is never spelled
    }
}
