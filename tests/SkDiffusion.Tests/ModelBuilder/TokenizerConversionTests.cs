using System.Text.Json;
using System.Text.Json.Nodes;
using SkDiffusion.ModelBuilder;
using SkDiffusion.ModelBuilder.Tokenizer;

namespace SkDiffusion.Tests.ModelBuilder;

/// <summary>The package tokenizer files load in Microsoft.ML.Tokenizers and encode like the reference tokenizer.</summary>
public sealed class TokenizerConversionTests
{
    // Ids from the reference byte-level BPE (models/recipe/bpe.py) on the tiny-llada tokenizer.
    public static TheoryData<string, int[]> ReferenceEncodings => new()
    {
        { "Hello world, the answer is 42!", [72, 101, 262, 111, 32, 119, 111, 114, 108, 100, 44, 279, 32, 97, 110, 115, 119, 101, 114, 32, 105, 115, 32, 52, 50, 33] },
        { "<|startoftext|>user<|eot_id|> said \"dog\"\n\nok <|mdm_mask|><|mdm_mask|>", [290, 117, 115, 101, 114, 295, 32, 115, 97, 105, 100, 256, 100, 111, 103, 34, 10, 10, 111, 107, 32, 292, 292] },
        { "héllo — ünïcödé 😀", [104, 195, 169, 262, 111, 32, 226, 128, 148, 32, 195, 188, 110, 195, 175, 99, 195, 182, 100, 195, 169, 32, 240, 159, 152, 128] },
    };

    [Theory]
    [MemberData(nameof(ReferenceEncodings))]
    public async Task ConvertedTokenizerEncodesLikeReference(string text, int[] expected)
    {
        using var temp = new TempDirectory();
        string package = await Build(FixturePaths.Fixture("tiny-llada"), temp);
        var tokenizer = Load(package);
        Assert.Equal(expected, tokenizer.EncodeToIds(text));
        Assert.Equal(text, tokenizer.Decode(expected));
    }

    [Fact]
    public async Task PackageFilesFollowTheFormat()
    {
        using var temp = new TempDirectory();
        string package = await Build(FixturePaths.Fixture("tiny-llada"), temp);
        Assert.Equal("#version: 0.2", File.ReadLines(Path.Combine(package, "merges.txt")).First());
        var vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(package, "vocab.json")))!;
        Assert.Equal(290, vocab.Count);
        Assert.DoesNotContain("<|mdm_mask|>", vocab.Keys);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(package, "tokenizer_config.json")));
        Assert.True(config.RootElement.GetProperty("byte_level").GetBoolean());
        Assert.Contains("\\p{L}", config.RootElement.GetProperty("pre_tokenizer_regex").GetString());
        Assert.Equal(292, config.RootElement.GetProperty("special_tokens").GetProperty("<|mdm_mask|>").GetInt32());
        Assert.Equal(6, config.RootElement.GetProperty("special_tokens").EnumerateObject().Count());
    }

    [Fact]
    public async Task DreamVocabAndMergesConvert()
    {
        using var temp = new TempDirectory();
        string package = await Build(FixturePaths.Fixture("tiny-dream"), temp);
        var tokenizer = Load(package);
        Assert.Equal([291, 292, 293, 290], tokenizer.EncodeToIds("<|im_start|><|im_end|><|mask|><|endoftext|>"));
        const string text = "The quick brown fox: 123 jumps!";
        Assert.Equal(text, tokenizer.Decode(tokenizer.EncodeToIds(text)));
    }

    [Fact]
    public async Task MergesAsPairsAndGpt2ByteLevelPreTokenizerConvert()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.CopyFrom(FixturePaths.Fixture("tiny-llada"), "checkpoint");
        string path = Path.Combine(checkpoint, "tokenizer.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        var merges = json["model"]!["merges"]!.AsArray().Select(m => m!.GetValue<string>().Split(' ')).ToList();
        json["model"]!["merges"] = new JsonArray(merges.Select(m => (JsonNode)new JsonArray(m[0], m[1])).ToArray());
        json["pre_tokenizer"] = JsonNode.Parse("""{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true}""");
        File.WriteAllText(path, json.ToJsonString());

        string package = await Build(checkpoint, temp);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(package, "tokenizer_config.json")));
        Assert.Equal(PreTokenizerPatterns.Gpt2, config.RootElement.GetProperty("pre_tokenizer_regex").GetString());
        Assert.Equal(
            File.ReadAllLines(Path.Combine(package, "merges.txt")).Skip(1),
            merges.Select(m => $"{m[0]} {m[1]}"));
        Assert.Equal([292], Load(package).EncodeToIds("<|mdm_mask|>"));
    }

    [Fact]
    public async Task DroppedNormalizerIsReportedAsWarning()
    {
        using var temp = new TempDirectory();
        string checkpoint = temp.CopyFrom(FixturePaths.Fixture("tiny-llada"), "checkpoint");
        string path = Path.Combine(checkpoint, "tokenizer.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        json["normalizer"] = JsonNode.Parse("""{"type":"NFC"}""");
        File.WriteAllText(path, json.ToJsonString());
        var reports = new List<BuildProgress>();
        await PackageBuilder.BuildAsync(
            new PackageBuildOptions { CheckpointDirectory = checkpoint, OutputDirectory = temp.Combine("out") },
            new SynchronousProgress(reports.Add));
        var warning = Assert.Single(reports, r => r.Stage == BuildStage.Warning);
        Assert.Contains("normalizer 'NFC'", warning.Message);
    }

    private static async Task<string> Build(string checkpoint, TempDirectory temp)
    {
        string package = temp.Combine("package-" + Guid.NewGuid().ToString("N"));
        await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = checkpoint, OutputDirectory = package });
        return package;
    }

    private static Microsoft.ML.Tokenizers.BpeTokenizer Load(string package) =>
        TokenizerVerifier.Load(Path.Combine(package, "vocab.json"), Path.Combine(package, "merges.txt"), Path.Combine(package, "tokenizer_config.json"));
}
