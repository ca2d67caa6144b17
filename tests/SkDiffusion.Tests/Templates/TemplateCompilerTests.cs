using SkDiffusion.Templates;

namespace SkDiffusion.Tests.Templates;

public class TemplateCompilerTests
{
    [Fact]
    public async Task Slots_hold_only_tokens_of_their_kind()
    {
        var compiled = TemplateTestKit.Compiler().Compile("N={{name:string(4)}};A={{age:int(3)}};P={{pet:enum(cat|dog)}};B={{ok:bool}};X={{x:number(5)}}");

        // The fake model loves quotes and letters: the constraints must win.
        var (result, _) = await TemplateTestKit.FillAsync(compiled, "\"", "\"x", "z", "dog", "false", "7", ".", "-", "5");

        Assert.DoesNotContain('"', result["name"].Text);
        Assert.Equal(4, result["name"].Text.Length);
        Assert.IsType<long>(result["age"].Value);
        Assert.Matches("^-?[0-9]+$", result["age"].Text);
        Assert.Equal("dog", result["pet"].Value);
        Assert.Equal(false, result["ok"].Value);
        Assert.IsType<double>(result["x"].Value);
        Assert.Equal("N=zzzz;A=", result.Text[..9]);
        foreach (var slot in result.Slots)
        {
            Assert.Equal(slot.Text, result.Text.Substring(slot.Start, slot.Length));
        }
    }

    [Fact]
    public async Task Variable_slots_end_at_eos_but_respect_their_minimum()
    {
        var compiled = TemplateTestKit.Compiler().Compile("[{{s:string(5)}}][{{i:int(4)}}][{{t:text(2..6)}}][{{e:enum(cat|false)}}]");
        var (result, _) = await TemplateTestKit.FillAsync(compiled, "<eos>", "y", "4", "cat");

        Assert.Equal("", result["s"].Text);
        Assert.Equal(4L, result["i"].Value);
        Assert.Equal("yy", result["t"].Text);
        Assert.Equal("cat", result["e"].Value);
        Assert.Equal("[][4][yy][cat]", result.Text);
        Assert.False(result.AnyRepaired);
    }

    [Fact]
    public async Task Fixed_length_slots_are_filled_exactly()
    {
        var compiled = TemplateTestKit.Compiler().Compile("{{s:text(=3)}}");
        var (result, raw) = await TemplateTestKit.FillAsync(compiled, "<eos>", "q");
        Assert.Equal("qqq", result.Text);
        Assert.Equal(3, raw.Sequences[0].Slots[0].Tokens.Count);
    }

    [Fact]
    public async Task Arrays_expand_into_elements()
    {
        var compiled = TemplateTestKit.Compiler().Compile("{{n:int(1, unsigned)[3]}}");
        Assert.Equal(3, compiled.Elements.Count);
        var (result, _) = await TemplateTestKit.FillAsync(compiled, "-", "3");
        Assert.Equal("3, 3, 3", result.Text);
        Assert.Equal([3L, 3L, 3L], result.GetValues("n"));
    }

    [Fact]
    public async Task A_space_before_a_slot_moves_into_its_first_token()
    {
        var compiled = TemplateTestKit.Compiler().Compile("City: {{city:string(1)}}, pet {{pet:enum(cat|dog)}}");
        Assert.True(compiled.Elements[0].AbsorbedSpace);
        Assert.Equal([TemplateTestKit.Tokenizer.Id(" cat")], compiled.Elements[1].ChoiceTokens![0]);
        var (result, raw) = await TemplateTestKit.FillAsync(compiled, " Paris", "<eos>", " cat");
        Assert.Equal("City: Paris, pet cat", result.Text);
        Assert.Equal("Paris", result["city"].Value);
        Assert.Equal(TemplateTestKit.Tokenizer.Id(" Paris"), raw.Sequences[0].Slots[0].Tokens[0]);
    }

    [Fact]
    public void Spaces_stay_fixed_when_absorption_is_off()
    {
        var compiled = TemplateTestKit.Compiler(new TemplateCompilerOptions { AbsorbSpaces = false }).Compile("City: {{city:string(2)}}");
        Assert.False(compiled.Elements[0].AbsorbedSpace);
        Assert.Equal(6 + 2, compiled.Canvas.Length);
    }

    [Fact]
    public void Trailing_tokens_follow_the_layout()
    {
        var compiled = TemplateTestKit.Compiler(new TemplateCompilerOptions { TrailingTokens = [TemplateTestKit.Tokenizer.Eos] }).Compile("{{a:int(2)}}");
        Assert.Equal(3 + 1, compiled.Canvas.Length);
    }

    [Fact]
    public async Task Reading_a_row_of_another_template_fails()
    {
        var two = TemplateTestKit.Compiler().Compile("{{a:int(2)}} {{b:int(2)}}");
        var one = TemplateTestKit.Compiler().Compile("{{a:int(2)}}");
        var (_, raw) = await TemplateTestKit.FillAsync(two, "1");
        var ex = Assert.Throws<TemplateException>(() => one.Read(raw.Sequences[0]));
        Assert.Contains("2 slots", ex.Message);
    }
}
