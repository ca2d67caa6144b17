using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Templates;
using SkDiffusion.Templates.Holes;
using SkDiffusion.Tests.Sampling;
using SkDiffusion.Tests.Templates;

namespace SkDiffusion.Tests.Infilling;

/// <summary>Every hole ends at the model's EOS padding, and its text is cut to the requested words or characters.</summary>
public sealed class HoleFillingTests
{
    private static readonly TestTokenizer Tokenizer = TemplateTestKit.Tokenizer;

    /// <summary>Decodes <paramref name="document"/> with a denoiser that writes <paramref name="write"/>(i) at the hole's i-th position (null = EOS).</summary>
    private static async Task<(TemplateResult Result, CompiledDocument Compiled, SamplingResult Raw)> FillAsync(string document, Func<int, string?> write, HoleCompilerOptions? options = null)
    {
        var compiled = HoleCompiler.Create(TemplateTestKit.Vocabulary, Tokenizer.Ids, options).Compile(HoleDocument.Parse(document));
        int start = 1 + compiled.HoleOffsets[0];
        var denoiser = new FakeDenoiser(Tokenizer.VocabularySize, (_, _, position, logits) =>
        {
            int rel = position - start;
            if (rel >= 0 && rel < compiled.HoleBudgets[0])
            {
                logits[write(rel) is { } t ? Tokenizer.Id(t) : Tokenizer.Eos] = 10f;
            }
        });
        var sampler = DiffusionSampler.Create(denoiser, Tokenizer.Ids);
        var raw = await sampler.SampleAsync(DiffusionCanvas.FromTemplate([Tokenizer.Id(">")], compiled.Canvas), new SamplerOptions { Steps = compiled.Canvas.Length, MaxDegreeOfParallelism = 1 });
        return (compiled.Read(raw.Sequences[0]), compiled, raw);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(6)]
    public async Task A_variable_hole_ends_where_the_model_puts_EOS(int k)
    {
        var (result, compiled, raw) = await FillAsync("Say ([[MASK:<=8t]]) now.", rel => rel < k ? "x" : null);
        var hole = Assert.Single(result.Slots);
        Assert.Equal(new string('x', k), hole.Text);
        Assert.Equal(k, hole.Tokens.Count);
        Assert.Equal($"Say ({new string('x', k)}) now.", result.Text);
        Assert.Equal(8, compiled.HoleBudgets[0]);
        Assert.Equal(k, raw.Sequences[0].Slots[0].Tokens.Count);
        Assert.False(hole.Repaired);
    }

    [Fact]
    public async Task An_empty_at_most_hole_leaves_the_fixed_text_alone()
    {
        var (result, _, _) = await FillAsync("Say ([[MASK:<=3c]]) now.", _ => null);
        Assert.Equal("Say () now.", result.Text);
        Assert.Empty(result.Slots[0].Tokens);
    }

    [Fact]
    public async Task A_word_hole_is_cut_after_its_last_word()
    {
        var (result, _, _) = await FillAsync("Say ([[MASK:2]]) now.", rel => rel < 9 ? (rel % 2 == 0 ? "x" : " ") : null);
        Assert.Equal("x x", result.Slots[0].Text);
        Assert.True(result.Slots[0].Repaired);
        Assert.Equal("Say (x x) now.", result.Text);
    }

    [Fact]
    public async Task A_character_hole_is_cut_at_its_count()
    {
        var (result, compiled, _) = await FillAsync("Say ([[MASK:<=5c]]) now.", rel => rel < 5 ? "ab"[rel % 2].ToString() : null);
        Assert.Equal(5, compiled.HoleBudgets[0]);
        Assert.Equal("ababa", result.Slots[0].Text);
        Assert.False(result.Slots[0].Repaired);

        var (longer, _, _) = await FillAsync("Say ([[MASK:<=3c]]) now.", rel => rel < 3 ? "12" : null);
        Assert.Equal("121", longer.Slots[0].Text);
        Assert.True(longer.Slots[0].Repaired);
    }

    [Fact]
    public async Task A_hole_ends_where_the_model_writes_the_punctuation_that_follows_it()
    {
        var (result, _, _) = await FillAsync("It is [[MASK:<=4]].", rel => rel switch { 0 => " Bob", 1 => ".", 2 => " ", 3 => "x", _ => null });
        Assert.Equal("Bob", result.Slots[0].Text);
        Assert.Equal("It is Bob.", result.Text);
    }

    [Fact]
    public async Task A_hole_does_not_end_the_sentence_that_the_document_goes_on_with()
    {
        var (result, _, _) = await FillAsync("They speak [[MASK:1]] at home.", rel => rel switch { 0 => " Bob", 1 => ".", _ => null });
        Assert.Equal("Bob", result.Slots[0].Text);
        Assert.True(result.Slots[0].Repaired);
        Assert.Equal("They speak Bob at home.", result.Text);
    }

    [Theory]
    [InlineData("Sidoish.", " at home.", "Sidoish")]
    [InlineData("Sidoish!", " with friends.", "Sidoish")]
    [InlineData("Romuthe.", ", a large city.", "Romuthe")]
    [InlineData("Romuthe;", ". Then", "Romuthe")]
    [InlineData("Romuthe\u3002", "\uFF0C", "Romuthe")]
    [InlineData("Sidoish,", " at home.", "Sidoish,")]
    [InlineData("Sidoish.", " Then they left.", "Sidoish.")]
    [InlineData("Sidoish.", "", "Sidoish.")]
    [InlineData("Sidoish.", "(at home)", "Sidoish.")]
    [InlineData("St. Louis", " at home.", "St. Louis")]
    [InlineData("...", ", then", "")]
    public void Punctuation_the_document_already_carries_is_dropped_from_the_hole_end(string decoded, string after, string expected)
    {
        Assert.Equal(expected, HoleContent.Limit(decoded, HoleLength.AtMostWords(4), after).Text);
        Assert.Equal(expected, HoleContent.Limit(decoded, new HoleLength(20, HoleUnit.Characters, atMost: true), after).Text);
        Assert.Equal(expected != decoded, HoleContent.Limit(decoded, HoleLength.AtMostWords(4), after).Cut);

        // A token hole keeps what the model wrote.
        Assert.Equal(decoded, HoleContent.Limit(decoded, new HoleLength(8, HoleUnit.Tokens, atMost: true), after).Text);
    }

    [Fact]
    public async Task A_lead_the_tokenizer_merges_is_carried_by_the_first_token_and_kept_once()
    {
        // The test tokenizer has " Bob" and " cat" tokens, so the space before the hole is its lead.
        var (result, compiled, _) = await FillAsync("Name: [[MASK:1]].", rel => rel == 0 ? " Bob" : null);
        Assert.Equal(" ", compiled.Leads[0]);
        Assert.Equal("Bob", result.Slots[0].Text);
        Assert.Equal("Name: Bob.", result.Text);
        Assert.Equal(Tokenizer.Encode("Name:"), compiled.Canvas.Parts[0].Tokens!);
    }

    [Fact]
    public async Task A_first_token_outside_the_lead_is_refused()
    {
        // The denoiser wants a bare "x" after "Name: ": only tokens that carry the space may start the hole.
        var (result, _, _) = await FillAsync("Name: [[MASK:1]].", rel => rel == 0 ? "x" : null);
        string first = TemplateTestKit.Vocabulary.GetText(result.Slots[0].Tokens[0])!;
        Assert.StartsWith(" ", first);
        Assert.True(first.Length > 1 && first[1] != ' ');
    }

    [Fact]
    public async Task A_bare_lead_token_may_start_a_hole_before_what_the_tokenizer_keeps_apart()
    {
        // " 12" is " " + "12" for the test tokenizer (no " 12" token), so a number may follow the space the hole leads with.
        var (number, compiled, _) = await FillAsync("Name: [[MASK:1]].", rel => rel switch { 0 => " ", 1 => "12", _ => null });
        Assert.Equal(" ", compiled.Leads[0]);
        Assert.Equal("12", number.Slots[0].Text);
        Assert.Equal("Name: 12.", number.Text);

        // " Bob" is one token: a bare " " followed by "Bob" is a split the tokenizer never makes.
        var (word, _, _) = await FillAsync("Name: [[MASK:1]].", rel => rel switch { 0 => " ", 1 => "Bob", _ => null });
        var tokens = word.Slots[0].Tokens;
        Assert.False(tokens.Count >= 2 && tokens[0] == Tokenizer.Id(" ") && tokens[1] == Tokenizer.Id("Bob"));
    }

    [Fact]
    public void The_word_budget_is_measured_on_the_tokenizer_or_set()
    {
        var measured = HoleCompiler.Create(TemplateTestKit.Vocabulary, Tokenizer.Ids);
        Assert.InRange(measured.TokensPerWord, 5, 13);
        Assert.Equal(3 * measured.TokensPerWord, measured.TokenBudget(HoleLength.Words(3)));
        Assert.Equal(20, measured.TokenBudget(new HoleLength(20, HoleUnit.Characters, true)));
        Assert.Equal(7, measured.TokenBudget(new HoleLength(7, HoleUnit.Tokens, false)));
        Assert.Equal(TemplateSlot.MaxAllowedLength, measured.TokenBudget(HoleLength.AtMostWords(HoleLength.MaxWords)));

        var set = HoleCompiler.Create(TemplateTestKit.Vocabulary, Tokenizer.Ids, new HoleCompilerOptions { TokensPerWord = 2 });
        Assert.Equal(6, set.TokenBudget(HoleLength.Words(3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => HoleCompiler.Create(TemplateTestKit.Vocabulary, Tokenizer.Ids, new HoleCompilerOptions { TokensPerWord = 0 }));
    }
}
