using System.Text.Json.Nodes;
using SkDiffusion.Chat;
using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Packaging;

[Collection(TinyPackageCollection.Name)]
public sealed class ModelPackageTests(TinyPackages packages)
{
    [Fact]
    public void LoadsTheBuildersLladaPackage()
    {
        ModelPackage package = ModelPackage.Load(packages.LladaDirectory);

        Assert.Equal("llada", package.Manifest.Architecture);
        Assert.Equal(320, package.Manifest.VocabSize);
        Assert.Equal(Path.GetFullPath(packages.LladaDirectory), package.Directory);
        Assert.IsType<Llama3ChatFormat>(package.ChatFormat);
        Assert.Equal(package.Manifest.TokenIds.Mask, package.Tokenizer.MaskId);
    }

    [Fact]
    public async Task LoadsTheBuildersDreamPackage()
    {
        ModelPackage package = await ModelPackage.LoadAsync(packages.DreamDirectory);

        Assert.Equal("dream", package.Manifest.Architecture);
        Assert.True(package.Manifest.LogitsShifted);
        Assert.IsType<ChatMlChatFormat>(package.ChatFormat);
    }

    [Fact]
    public void MissingFolderIsReported()
    {
        string path = Path.Combine(Path.GetTempPath(), "skd-missing-" + Guid.NewGuid().ToString("N"));
        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(path));
        Assert.Equal(Path.GetFullPath(path), ex.FilePath);
    }

    [Fact]
    public void MissingManifestIsReported()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        File.Delete(copy.ManifestPath);

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));
        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains("manifest", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("ModelBuilder", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadJsonIsReported()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        File.WriteAllText(copy.ManifestPath, "{ \"format_version\": 1, \"name\": ");

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));
        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains("JSON", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadFields => new()
    {
        { """{"remove":"vocab_size"}""", "vocab_size" },
        { """{"set":"vocab_size","value":0}""", "vocab_size" },
        { """{"set":"format_version","value":2}""", "format_version" },
        { """{"set":"architecture","value":"gpt2"}""", "architecture" },
        { """{"set":"chat_format","value":"alpaca"}""", "chat_format" },
        { """{"set":"dtype","value":"bfloat8"}""", "dtype" },
        { """{"set":"kv_dtype","value":"int4"}""", "kv_dtype" },
        { """{"set":"context_length","value":0}""", "context_length" },
        { """{"set":"context_length","value":1073741824}""", "context_length" },
        { """{"set":"num_kv_heads","value":3}""", "num_kv_heads" },
        { """{"set":"head_dim","value":-1}""", "head_dim" },
        { """{"token":"mask","value":320}""", "token_ids.mask" },
        { """{"token":"eos","value":-5}""", "token_ids.eos" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public void OutOfRangeOrMissingFieldsAreReported(string edit, string field)
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        JsonObject e = JsonNode.Parse(edit)!.AsObject();
        copy.EditManifest(m =>
        {
            if (e["remove"] is JsonNode r)
            {
                m.Remove(r.GetValue<string>());
            }
            else if (e["set"] is JsonNode s)
            {
                m[s.GetValue<string>()] = e["value"]!.DeepClone();
            }
            else
            {
                m["token_ids"]![e["token"]!.GetValue<string>()] = e["value"]!.DeepClone();
            }
        });

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));
        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../vocab.json")]
    [InlineData("sub/vocab.json")]
    [InlineData("..\\vocab.json")]
    [InlineData("/etc/passwd")]
    [InlineData("..")]
    public void FileNamesThatLeaveThePackageAreRefused(string name)
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        File.Copy(copy.PathOf("vocab.json"), Path.Combine(Path.GetDirectoryName(copy.Directory)!, "vocab.json"));
        copy.EditManifest(m => m["files"]!["vocab"] = name);

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));
        Assert.Contains("plain file name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SymlinkedFilesAreRefused()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        string outside = Path.Combine(Path.GetDirectoryName(copy.Directory)!, "merges-elsewhere.txt");
        File.Move(copy.PathOf("merges.txt"), outside);
        File.CreateSymbolicLink(copy.PathOf("merges.txt"), outside);

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));
        Assert.Equal(copy.PathOf("merges.txt"), ex.FilePath);
        Assert.Contains("link", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFileIsReported()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        File.Delete(copy.PathOf("merges.txt"));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));
        Assert.Equal(copy.PathOf("merges.txt"), ex.FilePath);
        Assert.Contains("missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedGraphIsReported()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        string model = copy.PathOf("model.onnx");
        byte[] bytes = File.ReadAllBytes(model);
        File.WriteAllBytes(model, bytes[..(bytes.Length / 2)]);

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));
        Assert.Equal(model, ex.FilePath);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FlippedByteFailsTheChecksumUnlessChecksumsAreOff()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        string model = copy.PathOf("model.onnx");
        byte[] bytes = File.ReadAllBytes(model);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(model, bytes);

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));
        Assert.Equal(model, ex.FilePath);
        Assert.Contains("SHA-256", ex.Message, StringComparison.Ordinal);

        Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory, new ModelPackageOptions { ChecksumSizeLimitBytes = bytes.Length }));
        ModelPackage.Load(copy.Directory, new ModelPackageOptions { VerifyChecksums = false });
        ModelPackage.Load(copy.Directory, new ModelPackageOptions { ChecksumSizeLimitBytes = bytes.Length - 1 });
    }

    [Fact]
    public void TokenizerConfigWithoutTheMaskTokenIsReported()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        int mask = packages.Llada.Manifest.TokenIds.Mask;
        JsonObject config = JsonNode.Parse(File.ReadAllText(copy.PathOf("tokenizer_config.json")))!.AsObject();
        JsonObject special = config["special_tokens"]!.AsObject();
        foreach (string key in special.Where(p => p.Value!.GetValue<int>() == mask).Select(p => p.Key).ToList())
        {
            special.Remove(key);
        }

        copy.ReplaceFileConsistently("tokenizer_config.json", System.Text.Encoding.UTF8.GetBytes(config.ToJsonString()));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));
        Assert.Equal(copy.PathOf("tokenizer_config.json"), ex.FilePath);
        Assert.Contains("mask", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GraphWithPastInputsDisagreesWithManifestWithoutCache()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        copy.EditManifest(m => m["has_cache"] = false);

        ModelPackage package = ModelPackage.Load(copy.Directory);
        var ex = Assert.Throws<ModelPackageException>(() => OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu }));
        Assert.Equal(package.ModelPath, ex.FilePath);
        Assert.Contains("has_cache", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GraphWithFewerLayersThanManifestIsReported()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        copy.EditManifest(m => m["num_layers"] = packages.Llada.Manifest.NumLayers + 1);

        ModelPackage package = ModelPackage.Load(copy.Directory);
        var ex = Assert.Throws<ModelPackageException>(() => OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu }));
        Assert.Contains("past inputs", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VocabularyMismatchWithTheGraphIsReported()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        copy.EditManifest(m => m["vocab_size"] = 400);

        ModelPackage package = ModelPackage.Load(copy.Directory);
        var ex = Assert.Throws<ModelPackageException>(() => OnnxDenoiser.Create(package, new OnnxDenoiserOptions { ExecutionProvider = ExecutionProvider.Cpu }));
        Assert.Contains("vocab_size", ex.Message, StringComparison.Ordinal);
    }
}
