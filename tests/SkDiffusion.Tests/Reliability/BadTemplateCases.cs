using SkDiffusion.Templates;
using SkDiffusion.Tests.Templates;

namespace SkDiffusion.Tests.Reliability;

/// <summary>
/// Malformed templates and slots of zero, negative or huge length: each is a <see cref="TemplateException"/> whose
/// message names the problem and whose position points into the template.
/// </summary>
public sealed class BadTemplateCases
{
    /// <summary>(case name, template, message fragment).</summary>
    public static TheoryData<string, string, string> Cases => new()
    {
        { "unclosed slot at the end", "{{a:int(2)}} and {{b:bool", "never closed" },
        { "unclosed slot without type", "Hello {{", "never closed" },
        { "unclosed parenthesis", "{{a:string(3}}", "'(' is never closed" },
        { "unknown type float", "{{a:float(3)}}", "unknown type 'float'" },
        { "unknown type date", "{{when:date}}", "unknown type 'date'" },
        { "empty type", "{{a:}}", "type" },
        { "no name", "{{:int(2)}}", "no name" },
        { "no type at all", "{{age}}", "no type" },
        { "name with a space", "{{my name:int(2)}}", "invalid" },
        { "name starting with a digit", "{{1st:int(2)}}", "invalid" },
        { "zero-length string", "{{a:string(0)}}", "at least 1" },
        { "zero-length int", "{{a:int(0)}}", "at least 1" },
        { "negative exact length", "{{a:text(=-1)}}", "at least" },
        { "negative range", "{{a:text(-3..4)}}", "at least" },
        { "huge length", "{{a:text(5000)}}", "above the limit of 1024" },
        { "length overflowing int", "{{a:text(99999999999999999999)}}", "99999999999999999999" },
        { "huge range maximum", "{{a:string(1..100000)}}", "above the limit" },
        { "range minimum above maximum", "{{a:text(9..3)}}", "above the maximum" },
        { "length not a number", "{{a:int(two)}}", "not a whole number" },
        { "array count zero", "{{a:int(2)[0]}}", "array count 0" },
        { "array count huge", "{{a:int(2)[100000]}}", "array count 100000" },
        { "array count not a number", "{{a:int(2)[x]}}", "not a number" },
        { "closing bracket without opening", "{{a:int(2)]}}", "']' without '['" },
        { "enum without options", "{{a:enum}}", "without options" },
        { "enum trailing separator", "{{a:enum(a|)}}", "empty enum option" },
        { "enum duplicate option", "{{a:enum(x|y|x)}}", "twice" },
        { "bool with arguments", "{{a:boolean(2)}}", "no arguments" },
        { "unknown number option", "{{a:number(4, big)}}", "unknown option 'big'" },
        { "duplicate slot name", "{{a:int(2)[2]}} {{a:int(1)}}", "used twice" },
        { "no slot", "plain text only", "no slot" },
        { "only escaped braces", @"\{{x:int(2)}}", "no slot" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_refused_with_a_template_exception(string name, string template, string fragment)
    {
        var ex = Assert.Throws<TemplateException>(() => TextTemplate.Parse(template));

        Assert.True(ex.Message.Contains(fragment, StringComparison.Ordinal), $"{name}: '{ex.Message}' lacks '{fragment}'");
        if (ex.Position is int position)
        {
            Assert.InRange(position, 0, template.Length);
        }

        // The compiler reports the same error (it parses first).
        var again = Assert.Throws<TemplateException>(() => TemplateTestKit.Compiler().Compile(template));
        Assert.Equal(ex.Message, again.Message);
    }
}
