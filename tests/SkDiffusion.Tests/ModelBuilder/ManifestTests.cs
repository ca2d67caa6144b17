using System.Security.Cryptography;
using System.Text.Json;
using SkDiffusion.ModelBuilder;
using SkDiffusion.Packaging;

namespace SkDiffusion.Tests.ModelBuilder;

/// <summary>The manifest a build writes: fields per architecture, file sizes and hashes.</summary>
public sealed class ManifestTests
{
    [Fact]
    public async Task LladaManifestHasContractFields()
    {
        using var temp = new TempDirectory();
        string package = temp.Combine("llada");
        var returned = await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = FixturePaths.Fixture("tiny-llada"), OutputDirectory = package });
        var m = ReadManifest(package);

        Assert.Equal(1, m.FormatVersion);
        Assert.Equal("tiny-llada", m.Name);
        Assert.Equal("llada", m.Architecture);
        Assert.Equal((320, 32, 2, 4, 4, 8, 64, 64), (m.VocabSize, m.HiddenSize, m.NumLayers, m.NumHeads, m.NumKvHeads, m.HeadDim, m.IntermediateSize, m.ContextLength));
        Assert.Equal(10000.0, m.RopeTheta);
        Assert.Equal(1e-5, m.RmsNormEps);
        Assert.Equal(("float32", "float32"), (m.DType, m.KvDType));
        Assert.False(m.LogitsShifted);
        Assert.True(m.HasCache);
        Assert.Equal("llama3", m.ChatFormat);
        Assert.Null(m.DefaultSystemPrompt);
        Assert.Equal((292, (int?)290, 291, 295, 291), (m.TokenIds.Mask, m.TokenIds.Bos, m.TokenIds.Eos, m.TokenIds.Eot, m.TokenIds.Pad));
        Assert.Null(m.Files.ModelData);
        Assert.Equal(returned.Sha256, m.Sha256);
        AssertFilesMatch(package, m);
    }

    [Fact]
    public async Task DreamManifestHasContractFields()
    {
        using var temp = new TempDirectory();
        string package = temp.Combine("dream");
        await PackageBuilder.BuildAsync(new PackageBuildOptions
        {
            CheckpointDirectory = FixturePaths.Fixture("tiny-dream"),
            OutputDirectory = package,
            Name = "test/dream",
            ContextLength = 32,
        });
        var m = ReadManifest(package);

        Assert.Equal("test/dream", m.Name);
        Assert.Equal("dream", m.Architecture);
        Assert.Equal((304, 32, 2, 4, 2, 8, 48, 32), (m.VocabSize, m.HiddenSize, m.NumLayers, m.NumHeads, m.NumKvHeads, m.HeadDim, m.IntermediateSize, m.ContextLength));
        Assert.Equal(1e6, m.RopeTheta);
        Assert.Equal(1e-6, m.RmsNormEps);
        Assert.True(m.LogitsShifted);
        Assert.Equal("chatml", m.ChatFormat);
        Assert.Equal("You are a helpful assistant.", m.DefaultSystemPrompt);
        Assert.Equal((293, (int?)null, 290, 292, 290), (m.TokenIds.Mask, m.TokenIds.Bos, m.TokenIds.Eos, m.TokenIds.Eot, m.TokenIds.Pad));
        AssertFilesMatch(package, m);
    }

    [Fact]
    public async Task ManifestUsesSnakeCaseKeys()
    {
        using var temp = new TempDirectory();
        string package = temp.Combine("p");
        await PackageBuilder.BuildAsync(new PackageBuildOptions { CheckpointDirectory = FixturePaths.Fixture("tiny-llada"), OutputDirectory = package });
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(package, "manifest.json")));
        var keys = document.RootElement.EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var key in new[] { "format_version", "vocab_size", "num_kv_heads", "head_dim", "logits_shifted", "has_cache", "token_ids", "file_sizes", "sha256" })
        {
            Assert.Contains(key, keys);
        }
    }

    private static ModelManifest ReadManifest(string package) =>
        JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(Path.Combine(package, "manifest.json")))!;

    private static void AssertFilesMatch(string package, ModelManifest m)
    {
        var named = new[] { m.Files.Model, m.Files.ModelData, m.Files.Vocab, m.Files.Merges, m.Files.TokenizerConfig }.OfType<string>().ToList();
        Assert.Equal(named.OrderBy(n => n), m.FileSizes.Keys.OrderBy(n => n));
        Assert.Equal(named.OrderBy(n => n), m.Sha256.Keys.OrderBy(n => n));
        foreach (var name in named)
        {
            Assert.Equal(Path.GetFileName(name), name);
            string path = Path.Combine(package, name);
            Assert.Equal(new FileInfo(path).Length, m.FileSizes[name]);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), m.Sha256[name]);
        }

        var onDisk = Directory.GetFileSystemEntries(package).Select(Path.GetFileName).OrderBy(n => n);
        Assert.Equal(named.Append("manifest.json").OrderBy(n => n), onDisk);
        Assert.Empty(Directory.GetDirectories(Path.GetDirectoryName(package)!, ".*partial*"));
    }
}
