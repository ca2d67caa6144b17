using System.Text;
using SkDiffusion.Tests.TestSupport;
using SkDiffusion.Tokenization;

namespace SkDiffusion.Tests.Tokenization;

[Collection(TinyPackageCollection.Name)]
public sealed class DiffusionTokenizerTests(TinyPackages packages)
{
    private DiffusionTokenizer Llada => packages.Llada.Tokenizer;

    [Theory]
    [InlineData("Hello, world! The quick brown fox jumps over 13 lazy dogs.")]
    [InlineData("héllo wörld 日本語 🎉")]
    [InlineData("  leading spaces\tand\ttabs\nnew lines  ")]
    public void RoundTrips(string text)
    {
        IReadOnlyList<int> ids = Llada.EncodeToIds(text);

        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.InRange(id, 0, packages.Llada.Manifest.VocabSize - 1));
        Assert.Equal(text, Llada.Decode(ids));
        Assert.Equal(ids, Llada.EncodeToIds(text.AsSpan()));
        Assert.Equal(text, Llada.Decode(ids.ToArray().AsSpan()));
    }

    [Fact]
    public void DreamRoundTripsMultiByteText()
    {
        const string text = "héllo wörld 日本語 🎉";
        Assert.Equal(text, packages.Dream.Tokenizer.Decode(packages.Dream.Tokenizer.EncodeToIds(text)));
    }

    [Fact]
    public void SpecialTokensEncodeToSingleIdsOnlyWhenAllowed()
    {
        int eot = Llada.GetTokenId("<|eot_id|>");
        Assert.Equal(packages.Llada.Manifest.TokenIds.Eot, eot);
        Assert.Equal(eot, Llada.EotId);

        IReadOnlyList<int> allowed = Llada.EncodeToIds("a<|eot_id|>b<|mdm_mask|>");
        Assert.Contains(eot, allowed);
        Assert.Contains(Llada.MaskId, allowed);
        Assert.Equal(2, allowed.Count(Llada.IsSpecial));

        IReadOnlyList<int> plain = Llada.EncodeToIds("a<|eot_id|>b<|mdm_mask|>", allowSpecialTokens: false);
        Assert.DoesNotContain(plain, Llada.IsSpecial);
        Assert.Equal("a<|eot_id|>b<|mdm_mask|>", Llada.Decode(plain));
    }

    [Fact]
    public void ManifestIdsAreExposed()
    {
        var ids = packages.Llada.Manifest.TokenIds;
        Assert.Equal(ids.Mask, Llada.MaskId);
        Assert.Equal(ids.Eos, Llada.EosId);
        Assert.Equal(ids.Pad, Llada.PadId);
        Assert.Equal(ids.Bos, Llada.BosId);
        Assert.True(Llada.IsSpecial(Llada.MaskId));
        Assert.False(Llada.IsSpecial(Llada.EncodeToIds("a")[0]));
        Assert.Throws<KeyNotFoundException>(() => Llada.GetTokenId("<|not_a_token|>"));
    }

    [Fact]
    public void SkipSpecialTokensDropsThem()
    {
        IReadOnlyList<int> ids = Llada.EncodeToIds("hi<|eot_id|>");
        Assert.Equal("hi<|eot_id|>", Llada.Decode(ids));
        Assert.Equal("hi", Llada.Decode(ids, skipSpecialTokens: true));
    }

    [Theory]
    [InlineData("🎉")]
    [InlineData("héllo wörld 日本語 🎉 done")]
    public void StreamingDecoderNeverEmitsReplacementCharacters(string text)
    {
        IReadOnlyList<int> ids = Llada.EncodeToIds(text);
        if (text == "🎉")
        {
            Assert.True(ids.Count > 1, "the emoji should be split across byte tokens for this test to mean anything");
        }

        StreamingDecoder decoder = Llada.CreateStreamingDecoder();
        var output = new StringBuilder();
        foreach (int id in ids)
        {
            string piece = decoder.Append([id]);
            Assert.DoesNotContain('\uFFFD', piece);
            output.Append(piece);
        }

        output.Append(decoder.Flush());
        Assert.Equal(text, output.ToString());
    }

    [Fact]
    public void StreamingDecoderSkipsSpecialTokensByDefault()
    {
        StreamingDecoder decoder = Llada.CreateStreamingDecoder();
        string text = decoder.Append(Llada.EncodeToIds("ok<|eot_id|>")) + decoder.Flush();
        Assert.Equal("ok", text);
    }
}
