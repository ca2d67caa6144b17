using SkDiffusion.DefaultModel;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;
using SkDiffusion.Templates;
using SkDiffusion.Templates.Holes;
using SkDiffusion.Templates.Internal;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Infilling;

/// <summary>
/// Hole and slot boundaries follow the real split of each tokenizer: the embedded one emits spaces as their own
/// tokens (the space stays in the fixed text), the LLaDA/Dream fixtures have <c>Ġword</c> tokens (the space becomes
/// the hole's lead and its first token must carry it).
/// </summary>
[Collection(TinyPackageCollection.Name)]
public sealed class HoleBoundaryTests(TinyPackages packages)
{
    private static readonly Lazy<ModelPackage> Embedded = new(() => ModelPackage.Load(EmbeddedModel.PackageDirectory));

    private static (ITemplateTokenizer Tokenizer, TokenVocabulary Vocabulary, SpecialTokenIds Ids) View(ModelPackage package)
    {
        var tokenizer = PackageTemplateTokenizer.Create(package);
        return (tokenizer, TokenVocabulary.Create(tokenizer), SpecialTokenIds.FromManifest(package.Manifest.TokenIds));
    }

    private static List<(int[]? Tokens, int SlotLength)> Parts(CompiledDocument compiled) =>
        [.. compiled.Canvas.Parts.Select(p => (p.Tokens, p.SlotLength))];

    [Fact]
    public void Embedded_tokenizer_keeps_the_space_before_a_hole_in_the_fixed_text()
    {
        var (tokenizer, _, _) = View(Embedded.Value);
        string before = "The capital of Feshai is ";
        var (tokens, lead) = TokenBoundaryProbe.Before(tokenizer, before, TokenBoundaryProbe.WordProbes);
        Assert.Equal("", lead);
        Assert.Equal(tokenizer.Encode(before), tokens);
        Assert.Equal(" ", tokenizer.Decode([tokens[^1]]));
    }

    [Fact]
    public void Embedded_canvas_is_encode_before_then_the_masked_hole_then_encode_after()
    {
        var (tokenizer, vocabulary, ids) = View(Embedded.Value);
        var compiler = HoleCompiler.Create(vocabulary, ids);
        var compiled = compiler.Compile(HoleDocument.Parse("The capital of Feshai is [[MASK:1]]. People in Feshai speak [[MASK:<=2]]."));
        var parts = Parts(compiled);
        Assert.Equal(5, parts.Count);
        Assert.Equal(tokenizer.Encode("The capital of Feshai is "), parts[0].Tokens!);
        Assert.Equal(compiler.TokenBudget(HoleLength.Words(1)), parts[1].SlotLength);
        Assert.Equal(tokenizer.Encode(". People in Feshai speak "), parts[2].Tokens!);
        Assert.Equal(2 * compiler.TokensPerWord, parts[3].SlotLength);
        Assert.InRange(compiler.TokensPerWord, 2, 8);
        Assert.Equal(tokenizer.Encode("."), parts[4].Tokens!);
        Assert.All(compiled.Leads, l => Assert.Equal("", l));
        Assert.Equal(parts[0].Tokens!.Length, compiled.HoleOffsets[0]);
    }

    [Fact]
    public void Ġword_tokenizer_moves_the_space_into_the_hole_and_requires_a_space_led_first_token()
    {
        var (tokenizer, vocabulary, ids) = View(packages.Llada);
        string before = "I saw the ";
        var (tokens, lead) = TokenBoundaryProbe.Before(tokenizer, before, TokenBoundaryProbe.WordProbes);
        Assert.Equal(" ", lead);
        Assert.Equal(tokenizer.Encode("I saw the"), tokens);

        var compiled = HoleCompiler.Create(vocabulary, ids).Compile(HoleDocument.Parse(before + "[[MASK:1]] and the cat."));
        Assert.Equal(" ", compiled.Leads[0]);
        Assert.Equal(tokenizer.Encode("I saw the"), Parts(compiled)[0].Tokens!);
        Assert.Equal(tokenizer.Encode(" and the cat."), Parts(compiled)[2].Tokens!);

        // The lead is the space the tokenizer folds into the next word: " dog" is one token, a bare " " is not a start.
        int dog = Assert.Single(tokenizer.Encode(" dog"));
        var first = new HoleContent(vocabulary).First(compiled.Leads[0], afterSpace: true);
        Assert.True(first[dog]);
        Assert.False(first[Assert.Single(tokenizer.Encode(" "))]);
        Assert.All(vocabulary.Where(_ => true).Where(id => first[id]), id => Assert.StartsWith(" ", vocabulary.GetText(id)));

        // A bare space may start the hole only before what the tokenizer splits after a space (digits), never a word.
        var content = new HoleContent(vocabulary);
        int space = Assert.Single(tokenizer.Encode(" "));
        Assert.Equal(space, content.BareLead(" "));
        var afterSpace = content.AfterBareLead(" ", space);
        Assert.Equal([space, Assert.Single(tokenizer.Encode("4"))], tokenizer.Encode(" 4"));
        Assert.True(afterSpace[Assert.Single(tokenizer.Encode("4"))]);
        Assert.False(afterSpace[Assert.Single(tokenizer.Encode("d"))]);
    }

    [Fact]
    public void Text_after_a_hole_is_stable_on_both_tokenizer_styles()
    {
        foreach (var package in new[] { Embedded.Value, packages.Llada, packages.Dream })
        {
            var (tokenizer, _, _) = View(package);
            var (trail, tokens) = TokenBoundaryProbe.After(tokenizer, " and the cat.", TokenBoundaryProbe.WordProbes);
            Assert.Equal("", trail);
            Assert.Equal(tokenizer.Encode(" and the cat."), tokens);

            // A hole inside a word: whatever the letters after it become, the stable tokens are the same after every probe.
            var (inside, rest) = TokenBoundaryProbe.After(tokenizer, "ing now", TokenBoundaryProbe.WordProbes);
            Assert.Equal("ing now", inside + tokenizer.Decode(rest));
            Assert.Equal(tokenizer.Encode("ing now").TakeLast(rest.Length), rest);
            Assert.All(TokenBoundaryProbe.WordProbes, probe => Assert.Equal(rest, tokenizer.Encode(probe + "ing now").TakeLast(rest.Length)));
        }
    }

    [Fact]
    public void Template_slots_absorb_the_space_only_where_the_tokenizer_merges_it()
    {
        foreach (var (package, absorbs) in new[] { (Embedded.Value, false), (packages.Llada, true) })
        {
            var (_, vocabulary, ids) = View(package);
            var compiled = TemplateCompiler.Create(vocabulary, ids).Compile("Name: {{name:string(4)}}, pet {{pet:enum(dog|cat)}}, age {{age:int(2)}}");
            Assert.Equal(absorbs, compiled.Elements[0].AbsorbedSpace);
            Assert.Equal(absorbs, compiled.Elements[1].AbsorbedSpace);
            Assert.False(compiled.Elements[2].AbsorbedSpace);
        }
    }
}
