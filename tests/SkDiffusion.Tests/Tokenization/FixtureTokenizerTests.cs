using System.Text;
using System.Text.Json;
using SkDiffusion.Tests.TestSupport;
using SkDiffusion.Tokenization;

namespace SkDiffusion.Tests.Tokenization;

/// <summary>The packaged tokenizers against the fixtures' own tokenizer files, and streaming decode over both.</summary>
[Collection(TinyPackageCollection.Name)]
public sealed class FixtureTokenizerTests(TinyPackages packages)
{
    public static TheoryData<string> Texts => new()
    {
        "plain ASCII text, with punctuation!?",
        "héllo wörld 日本語 🎉",
        "line one\nline two\r\n\ttabbed\t\tand  double  spaces ",
        "🎉🎉 ñ€𝄞",
    };

    [Fact]
    public void LladaSpecialIdsMatchTheFixtureAddedTokens()
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TinyPackages.FindFixture("tiny-llada"), "tokenizer.json")));
        var added = json.RootElement.GetProperty("added_tokens").EnumerateArray()
            .Select(e => (Content: e.GetProperty("content").GetString()!, Id: e.GetProperty("id").GetInt32()))
            .ToList();
        Assert.NotEmpty(added);

        DiffusionTokenizer t = packages.Llada.Tokenizer;
        foreach (var (content, id) in added)
        {
            Assert.Equal(id, t.GetSpecialTokenId(content));
            Assert.Equal([id], t.EncodeToIds(content, allowSpecialTokens: true));
            Assert.True(t.IsSpecial(id));
            Assert.DoesNotContain(id, t.EncodeToIds(content, allowSpecialTokens: false));
        }

        Assert.Equal(292, t.MaskId);
        Assert.Equal(295, t.EotId);
        Assert.Equal(290, t.BosId);
    }

    [Fact]
    public void DreamSpecialIdsMatchTheFixtureTokenizerConfig()
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TinyPackages.FindFixture("tiny-dream"), "tokenizer_config.json")));
        DiffusionTokenizer t = packages.Dream.Tokenizer;
        int count = 0;
        foreach (JsonProperty p in json.RootElement.GetProperty("added_tokens_decoder").EnumerateObject())
        {
            int id = int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture);
            string content = p.Value.GetProperty("content").GetString()!;
            Assert.Equal(id, t.GetSpecialTokenId(content));
            Assert.Equal([id], t.EncodeToIds("x" + content + "x").Skip(1).Take(1));
            count++;
        }

        Assert.True(count >= 4);
        Assert.Equal(293, t.MaskId);
        Assert.Equal(t.GetSpecialTokenId("<|im_end|>"), t.EotId);
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void DreamRoundTrips(string text)
    {
        DiffusionTokenizer t = packages.Dream.Tokenizer;
        IReadOnlyList<int> ids = t.EncodeToIds(text);

        Assert.All(ids, id => Assert.InRange(id, 0, packages.Dream.Manifest.VocabSize - 1));
        Assert.Equal(text, t.Decode(ids));
        Assert.Equal(ids, t.EncodeToIds(text, allowSpecialTokens: false));
    }

    [Fact]
    public void EmptyTextEncodesToNothing()
    {
        Assert.Empty(packages.Llada.Tokenizer.EncodeToIds(""));
        Assert.Empty(packages.Dream.Tokenizer.EncodeToIds(ReadOnlySpan<char>.Empty));
        Assert.Equal("", packages.Llada.Tokenizer.Decode(Array.Empty<int>()));
    }

    [Fact]
    public void DecodeKeepsOrSkipsEverySpecialToken()
    {
        DiffusionTokenizer t = packages.Dream.Tokenizer;
        IReadOnlyList<int> ids = t.EncodeToIds("<|im_start|>user\nhi 🎉<|im_end|>");

        Assert.Equal("<|im_start|>user\nhi 🎉<|im_end|>", t.Decode(ids));
        Assert.Equal("user\nhi 🎉", t.Decode(ids, skipSpecialTokens: true));
        Assert.Equal("user\nhi 🎉", t.Decode(ids.ToArray().AsSpan(), skipSpecialTokens: true));
        Assert.Equal("", t.Decode([t.MaskId, t.MaskId, t.EosId], skipSpecialTokens: true));
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void StreamingOneIdAtATimeConcatenatesToTheText(string text)
    {
        foreach (DiffusionTokenizer t in new[] { packages.Llada.Tokenizer, packages.Dream.Tokenizer })
        {
            IReadOnlyList<int> ids = t.EncodeToIds(text);
            StreamingDecoder decoder = t.CreateStreamingDecoder();
            var output = new StringBuilder();
            foreach (int id in ids)
            {
                string piece = decoder.Append([id]);
                Assert.DoesNotContain('\uFFFD', piece);
                output.Append(piece);
            }

            string rest = decoder.Flush();
            Assert.Equal("", rest);
            Assert.Equal(text, output.ToString());
        }
    }

    [Fact]
    public void StreamingHoldsBackAPartialCharacterUntilItCompletes()
    {
        DiffusionTokenizer t = packages.Dream.Tokenizer;
        IReadOnlyList<int> ids = t.EncodeToIds("a🎉");
        Assert.True(ids.Count >= 3, "the emoji should take several byte tokens");

        StreamingDecoder decoder = t.CreateStreamingDecoder();
        Assert.Equal("a", decoder.Append(ids.Take(2)));
        string tail = decoder.Append(ids.Skip(2));
        Assert.Equal("🎉", tail);
        Assert.Equal("", decoder.Flush());
    }

    [Fact]
    public void FlushReturnsAnIncompleteCharacterAndResets()
    {
        DiffusionTokenizer t = packages.Llada.Tokenizer;
        IReadOnlyList<int> ids = t.EncodeToIds("🎉");
        StreamingDecoder decoder = t.CreateStreamingDecoder();

        Assert.Equal("", decoder.Append(ids.Take(ids.Count - 1)));
        string flushed = decoder.Flush();
        Assert.NotEqual("", flushed);
        Assert.Contains('\uFFFD', flushed);

        // After a flush the decoder starts clean.
        Assert.Equal("ok", decoder.Append(t.EncodeToIds("ok")));
        Assert.Equal("", decoder.Flush());
    }

    [Fact]
    public void StreamingCanKeepSpecialTokens()
    {
        DiffusionTokenizer t = packages.Llada.Tokenizer;
        StreamingDecoder decoder = t.CreateStreamingDecoder(skipSpecialTokens: false);
        var output = new StringBuilder();
        foreach (int id in t.EncodeToIds("é<|eot_id|>日"))
        {
            output.Append(decoder.Append([id]));
        }

        output.Append(decoder.Flush());
        Assert.Equal("é<|eot_id|>日", output.ToString());
    }

    [Fact]
    public void IdsWithoutATokenDecodeWithoutThrowing()
    {
        // Embedding tables are often padded past the tokenizer (LLaDA: 126464 rows); a sampler may pick such an id.
        DiffusionTokenizer t = packages.Llada.Tokenizer;
        int unassigned = packages.Llada.Manifest.VocabSize - 1;
        Assert.Equal(320, unassigned + 1);

        string text = t.Decode([.. t.EncodeToIds("ab"), unassigned, .. t.EncodeToIds("cd")]);
        Assert.StartsWith("ab", text, StringComparison.Ordinal);
        Assert.EndsWith("cd", text, StringComparison.Ordinal);

        StreamingDecoder decoder = t.CreateStreamingDecoder();
        string streamed = decoder.Append([unassigned]) + decoder.Append(t.EncodeToIds("ok")) + decoder.Flush();
        Assert.EndsWith("ok", streamed, StringComparison.Ordinal);
    }

    [Fact]
    public void AdjacentSpecialTokensEncodeSeparately()
    {
        DiffusionTokenizer t = packages.Llada.Tokenizer;
        Assert.Equal([t.MaskId, t.MaskId, t.EotId], t.EncodeToIds("<|mdm_mask|><|mdm_mask|><|eot_id|>"));
    }

    [Fact]
    public void ConcurrentEncodingAgrees()
    {
        DiffusionTokenizer t = packages.Dream.Tokenizer;
        const string text = "héllo wörld 日本語 🎉 <|im_end|> again";
        IReadOnlyList<int> expected = t.EncodeToIds(text);
        Parallel.For(0, 64, _ => Assert.Equal(expected, t.EncodeToIds(text)));
    }
}
