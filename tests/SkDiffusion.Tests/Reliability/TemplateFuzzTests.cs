using CsCheck;
using SkDiffusion.Templates;
using SkDiffusion.DefaultModel;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;

namespace SkDiffusion.Tests.Reliability;

/// <summary>
/// Random and mutated template strings through <see cref="TextTemplate.Parse"/> and <see cref="TemplateCompiler.Compile(string)"/>:
/// the only exception that may escape is <see cref="TemplateException"/> (no null reference, index or cast errors,
/// no hang).
/// </summary>
public sealed class TemplateFuzzTests
{
    /// <summary>The compiler over the embedded model's real tokenizer (any text encodes, as in production).</summary>
    private static readonly Lazy<TemplateCompiler> Compiler = new(() =>
    {
        ModelPackage package = ModelPackage.Load(EmbeddedModel.PackageDirectory);
        return TemplateCompiler.Create(TokenVocabulary.Create(PackageTemplateTokenizer.Create(package)), SpecialTokenIds.FromManifest(package.Manifest.TokenIds));
    });

    private static readonly string[] Valid =
    [
        "Name: {{name:string(8)}}, age {{age:int(3)}}, likes {{pet:enum(cat|dog)}}, ok {{ok:bool}}",
        @"{{tags:string(4)[3]}} {{op:enum(a\|b|c\)d)}} {{n:int(3, unsigned)}}",
        "{\"x\": {{/x:number(=4)}}, \"t\": \"{{/t:text(2..9)}}\"}",
        @"a \{{b}} {{x:int(2)}} {{y:number(5, signed)}}",
    ];

    private static readonly Gen<string> Syntax = Gen.String[Gen.Char["{}:()[]|\\.,=-/ abcxyz0129\n\"intstrgexbolumf"], 0, 80];

    private static readonly Gen<string> Mutated =
        Gen.Select(Gen.Int[0, Valid.Length - 1], Gen.Int[1, 6].SelectMany(n => Gen.Select(Gen.Int[0, 3], Gen.Int[0, 1000], Gen.Char["{}:()[]|\\.,=- 0129az\0\uD800"]).Array[n]))
            .Select((i, edits) => Mutate(Valid[i], edits));

    [Fact]
    public void Random_templates_throw_only_template_exceptions() =>
        FuzzBudget.RunBounded(() => Gen.OneOf(Syntax, Mutated, Gen.String).Sample(Check, iter: FuzzBudget.TemplateIterations, threads: 1, seed: FuzzBudget.Seed));

    private static void Check(string template)
    {
        try
        {
            TextTemplate parsed = TextTemplate.Parse(template);
            CompiledTemplate compiled = Compiler.Value.Compile(parsed);
            Assert.True(compiled.Canvas.Length >= 1);

            // What parses prints back to a template that parses to the same slots.
            TextTemplate again = TextTemplate.Parse(parsed.ToString());
            Assert.Equal(parsed.Slots.Select(s => (s.Name, s.Kind, s.MinLength, s.MaxLength)), again.Slots.Select(s => (s.Name, s.Kind, s.MinLength, s.MaxLength)));
        }
        catch (TemplateException ex)
        {
            Assert.False(string.IsNullOrWhiteSpace(ex.Message));
            if (ex.Position is int p)
            {
                Assert.InRange(p, 0, template.Length);
            }
        }
    }

    private static string Mutate(string text, (int Kind, int At, char C)[] edits)
    {
        var s = new System.Text.StringBuilder(text);
        foreach (var (kind, at, c) in edits)
        {
            int i = s.Length == 0 ? 0 : at % s.Length;
            switch (kind)
            {
                case 0 when s.Length > 0:
                    s.Remove(i, 1);
                    break;
                case 1:
                    s.Insert(i, c);
                    break;
                case 2 when s.Length > 0:
                    s[i] = c;
                    break;
                default:
                    s.Length = i;
                    break;
            }
        }

        return s.ToString();
    }
}
