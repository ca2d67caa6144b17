using SkDiffusion.Templates;

namespace SkDiffusion.Tests.Templates;

public class TemplateParserTests
{
    [Fact]
    public void Parses_fixed_text_and_typed_slots()
    {
        var t = TextTemplate.Parse("Name: {{name:string(8)}}, age {{age:int(2)}}, likes {{pet:enum(cat|dog)}}, ok {{ok:bool}}");
        var slots = t.Slots.ToList();
        Assert.Equal(["name", "age", "pet", "ok"], slots.Select(s => s.Name));
        Assert.Equal([TemplateSlotKind.String, TemplateSlotKind.Integer, TemplateSlotKind.Enum, TemplateSlotKind.Boolean], slots.Select(s => s.Kind));
        Assert.Equal((0, 8), (slots[0].MinLength, slots[0].MaxLength));
        Assert.Equal((1, 2), (slots[1].MinLength, slots[1].MaxLength));
        Assert.Equal(["cat", "dog"], slots[2].Choices);
        Assert.Equal(["true", "false"], slots[3].Choices);
        Assert.Equal("Name: ", t.Segments[0].Text);
        Assert.Equal(8, t.Segments.Count);
    }

    [Theory]
    [InlineData("{{a:string(=5)}}", 5, 5)]
    [InlineData("{{a:text(2..9)}}", 2, 9)]
    [InlineData("{{a:text}}", 0, 32)]
    [InlineData("{{a:number(6)}}", 1, 6)]
    [InlineData("{{ a : string( 4 ) }}", 0, 4)]
    public void Reads_length_forms(string template, int min, int max)
    {
        var slot = TextTemplate.Parse(template).Slots.Single();
        Assert.Equal((min, max), (slot.MinLength, slot.MaxLength));
    }

    [Fact]
    public void Arrays_enum_escapes_and_unsigned()
    {
        var t = TextTemplate.Parse(@"{{tags:string(4)[3]}} {{op:enum(a\|b|c\)d)}} {{n:int(3, unsigned)}}");
        var slots = t.Slots.ToList();
        Assert.Equal(3, slots[0].Count);
        Assert.Equal(["tags[0]", "tags[1]", "tags[2]"], slots[0].ElementNames);
        Assert.Equal(["a|b", "c)d"], slots[1].Choices);
        Assert.False(slots[2].Signed);
    }

    [Fact]
    public void Escaped_braces_are_literal_and_round_trip()
    {
        var t = TextTemplate.Parse(@"a \{{b}} {{x:int(2)}}");
        Assert.Equal("a {{b}} ", t.Segments[0].Text);
        var again = TextTemplate.Parse(t.ToString());
        Assert.Equal(t.ToString(), again.ToString());
        Assert.Equal("a {{b}} ", again.Segments[0].Text);
    }

    [Fact]
    public void An_enum_choice_holding_closing_braces_prints_them_escaped_and_round_trips()
    {
        // Found by TemplateFuzzTests: the escaped '\}' put "}}" into a choice, and the printed slot closed there.
        var t = TextTemplate.Parse(@"{{tags:string(4)[3]}} {{op:enum(a\|b|c\)d)}\} {{n:int(3, unsigned)}}");
        Assert.Equal(["a|b", "c)d)}} {{n:int(3, unsigned"], t.Slots.ElementAt(1).Choices);
        var again = TextTemplate.Parse(t.ToString());
        Assert.Equal(t.Slots.Select(s => (s.Name, s.Kind)), again.Slots.Select(s => (s.Name, s.Kind)));
        Assert.Equal(t.Slots.ElementAt(1).Choices, again.Slots.ElementAt(1).Choices);
        Assert.Equal(t.ToString(), again.ToString());
    }

    [Theory]
    [InlineData("Hi {{name:string(3)", 3, "never closed")]
    [InlineData("{{x:blob(3)}}", 4, "unknown type 'blob'")]
    [InlineData("{{x:string(0)}}", 4, "at least 1")]
    [InlineData("{{x:string(-2)}}", 4, "at least 1")]
    [InlineData("{{x:string(100000)}}", 4, "above the limit")]
    [InlineData("{{x:string(abc)}}", 4, "not a whole number")]
    [InlineData("{{x:string(5..2)}}", 4, "above the maximum")]
    [InlineData("{{x:int(2)}} and {{x:bool}}", 17, "used twice")]
    [InlineData("{{x:enum(a||b)}}", 4, "empty enum option")]
    [InlineData("{{x:enum(a|a)}}", 4, "twice")]
    [InlineData("{{x:enum()}}", 4, "without options")]
    [InlineData("{{9x:int}}", 2, "invalid")]
    [InlineData("{{x}}", 2, "no type")]
    [InlineData("{{x:bool(3)}}", 4, "no arguments")]
    [InlineData("{{x:int(2)[0]}}", 4, "array count 0")]
    [InlineData("{{x:int(2, fancy)}}", 4, "unknown option 'fancy'")]
    public void Bad_templates_throw_with_position(string template, int position, string message)
    {
        var ex = Assert.Throws<TemplateException>(() => TextTemplate.Parse(template));
        Assert.Equal(position, ex.Position);
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void A_template_without_slots_is_rejected()
    {
        var ex = Assert.Throws<TemplateException>(() => TextTemplate.Parse("just text"));
        Assert.Contains("no slot", ex.Message);
    }
}
