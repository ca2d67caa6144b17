using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using SkDiffusion.Denoising;
using SkDiffusion.ModelBuilder;
using SkDiffusion.Packaging;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Packaging;

/// <summary>Damaged package files: the error names the file and says what is wrong with it.</summary>
[Collection(TinyPackageCollection.Name)]
public sealed class PackageFileTests(TinyPackages packages)
{
    private static readonly OnnxDenoiserOptions Cpu = new() { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 };

    [Fact]
    public void DreamPackageFromShardedCheckpointLoads()
    {
        ModelPackage package = ModelPackage.Load(packages.DreamDirectory);

        Assert.Equal(304, package.Manifest.VocabSize);
        Assert.Equal(2, package.Manifest.NumKvHeads);
        Assert.Equal(293, package.Tokenizer.MaskId);
        Assert.Equal(Path.Combine(Path.GetFullPath(packages.DreamDirectory), "model.onnx"), package.ModelPath);
    }

    [Fact]
    public void PathToAFileInsteadOfAFolderIsReported()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.ManifestPath));

        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains("not a model package folder", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GraphThatIsAFolderIsReportedAsMissing()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        File.Delete(copy.PathOf("model.onnx"));
        Directory.CreateDirectory(copy.PathOf("model.onnx"));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.PathOf("model.onnx"), ex.FilePath);
    }

    [Fact]
    public async Task LoadAsyncReportsTheSameErrors()
    {
        PackageCopy copy = packages.Copy(packages.DreamDirectory);
        File.Delete(copy.PathOf("vocab.json"));

        var ex = await Assert.ThrowsAsync<ModelPackageException>(() => ModelPackage.LoadAsync(copy.Directory));
        Assert.Equal(copy.PathOf("vocab.json"), ex.FilePath);
        Assert.Contains("vocab.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsyncHonoursAPreCancelledToken()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ModelPackage.LoadAsync(packages.LladaDirectory, cancellationToken: cts.Token));
    }

    [Fact]
    public void SymlinkedGraphIsRefused()
    {
        PackageCopy copy = packages.Copy(packages.DreamDirectory);
        string outside = Path.Combine(Path.GetDirectoryName(copy.Directory)!, "elsewhere.onnx");
        File.Move(copy.PathOf("model.onnx"), outside);
        File.CreateSymbolicLink(copy.PathOf("model.onnx"), outside);

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.PathOf("model.onnx"), ex.FilePath);
        Assert.Contains("model.onnx", ex.Message, StringComparison.Ordinal);
        Assert.Contains("link", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SymlinkedManifestIsRefused()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        string outside = Path.Combine(Path.GetDirectoryName(copy.Directory)!, "manifest-elsewhere.json");
        File.Move(copy.ManifestPath, outside);
        File.CreateSymbolicLink(copy.ManifestPath, outside);

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains("link", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingGraphIsReported()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        File.Delete(copy.PathOf("model.onnx"));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.PathOf("model.onnx"), ex.FilePath);
        Assert.Contains("missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedExternalDataIsReported()
    {
        // The tiny graphs embed their weights, so declare a model_data file the way a large package would, then cut it short.
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        byte[] data = new byte[4096];
        new Random(7).NextBytes(data);
        File.WriteAllBytes(copy.PathOf("model.onnx.data"), data);
        copy.EditManifest(m =>
        {
            m["files"]!["model_data"] = "model.onnx.data";
            m["file_sizes"]!["model.onnx.data"] = data.Length;
            m["sha256"]!["model.onnx.data"] = Convert.ToHexStringLower(SHA256.HashData(data));
        });
        ModelPackage.Load(copy.Directory);

        File.WriteAllBytes(copy.PathOf("model.onnx.data"), data[..1000]);
        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.PathOf("model.onnx.data"), ex.FilePath);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1000", ex.Message, StringComparison.Ordinal);
        Assert.Contains("4096", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GrownFileIsReported()
    {
        PackageCopy copy = packages.Copy(packages.DreamDirectory);
        File.AppendAllText(copy.PathOf("merges.txt"), "a b\n");

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory, new ModelPackageOptions { VerifyChecksums = false }));

        Assert.Equal(copy.PathOf("merges.txt"), ex.FilePath);
        Assert.Contains("larger than recorded", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FlippedByteInTheVocabularyFailsTheChecksum()
    {
        PackageCopy copy = packages.Copy(packages.DreamDirectory);
        byte[] bytes = File.ReadAllBytes(copy.PathOf("vocab.json"));
        int at = Array.IndexOf(bytes, (byte)'a');
        bytes[at] = (byte)'b';
        File.WriteAllBytes(copy.PathOf("vocab.json"), bytes);

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.PathOf("vocab.json"), ex.FilePath);
        Assert.Contains("corrupt", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SHA-256", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TokenizerConfigSpecialIdOutsideTheVocabularyIsReported()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        JsonObject config = ReadJson(copy.PathOf("tokenizer_config.json"));
        config["special_tokens"]!["<|extra|>"] = 5000;
        copy.ReplaceFileConsistently("tokenizer_config.json", Encoding.UTF8.GetBytes(config.ToJsonString()));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.PathOf("tokenizer_config.json"), ex.FilePath);
        Assert.Contains("<|extra|>", ex.Message, StringComparison.Ordinal);
        Assert.Contains("5000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TokenizerConfigWithoutTheEndOfTurnTokenIsReported()
    {
        PackageCopy copy = packages.Copy(packages.DreamDirectory);
        JsonObject config = ReadJson(copy.PathOf("tokenizer_config.json"));
        config["special_tokens"]!.AsObject().Remove("<|im_end|>");
        copy.ReplaceFileConsistently("tokenizer_config.json", Encoding.UTF8.GetBytes(config.ToJsonString()));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.PathOf("tokenizer_config.json"), ex.FilePath);
        Assert.Contains("eot", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TokenizerConfigThatIsNotJsonIsReported()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        copy.ReplaceFileConsistently("tokenizer_config.json", "{ special_tokens: "u8.ToArray());

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.PathOf("tokenizer_config.json"), ex.FilePath);
        Assert.Contains("JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TokenizerConfigWithABadRegexIsReported()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        JsonObject config = ReadJson(copy.PathOf("tokenizer_config.json"));
        config["pre_tokenizer_regex"] = "(unclosed";
        copy.ReplaceFileConsistently("tokenizer_config.json", Encoding.UTF8.GetBytes(config.ToJsonString()));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.PathOf("tokenizer_config.json"), ex.FilePath);
        Assert.Contains("pre_tokenizer_regex", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"a\": ")]
    [InlineData("[\"a\", \"b\"]")]
    [InlineData("{ \"a\": \"one\" }")]
    public void VocabularyThatIsNotATokenToIdObjectIsReported(string content)
    {
        PackageCopy copy = packages.Copy(packages.DreamDirectory);
        copy.ReplaceFileConsistently("vocab.json", Encoding.UTF8.GetBytes(content));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.PathOf("vocab.json"), ex.FilePath);
        Assert.Contains("JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VocabularyIdOutsideTheManifestVocabularyIsReported()
    {
        PackageCopy copy = packages.Copy(packages.DreamDirectory);
        JsonObject vocab = ReadJson(copy.PathOf("vocab.json"));
        vocab["zzz-extra"] = 9999;
        copy.ReplaceFileConsistently("vocab.json", Encoding.UTF8.GetBytes(vocab.ToJsonString()));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.PathOf("vocab.json"), ex.FilePath);
        Assert.Contains("9999", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GarbageGraphWithAConsistentManifestIsAPackageErrorNotACrash()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        byte[] garbage = new byte[(int)new FileInfo(copy.PathOf("model.onnx")).Length];
        new Random(1234).NextBytes(garbage);
        copy.ReplaceFileConsistently("model.onnx", garbage);

        ModelPackage package = ModelPackage.Load(copy.Directory);
        var ex = Assert.Throws<ModelPackageException>(() => OnnxDenoiser.Create(package, Cpu));

        Assert.Equal(package.ModelPath, ex.FilePath);
        Assert.Contains("model.onnx", ex.Message, StringComparison.Ordinal);
        Assert.Contains("cannot load", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManifestClaimingACacheOnANoCacheGraphIsReported()
    {
        string noCache = Path.Combine(Path.GetDirectoryName(packages.Copy(packages.LladaDirectory).Directory)!, "no-cache");
        ModelManifest built = await PackageBuilder.BuildAsync(new PackageBuildOptions
        {
            CheckpointDirectory = TinyPackages.FindFixture("tiny-llada"),
            OutputDirectory = noCache,
            IncludeCache = false,
        });
        Assert.False(built.HasCache);
        using (OnnxDenoiser ok = OnnxDenoiser.Create(ModelPackage.Load(noCache), Cpu))
        {
            Assert.Equal(320, ok.VocabularySize);
        }

        var copy = new PackageCopy(noCache);
        copy.EditManifest(m => m["has_cache"] = true);
        ModelPackage package = ModelPackage.Load(noCache);

        var ex = Assert.Throws<ModelPackageException>(() => OnnxDenoiser.Create(package, Cpu));

        Assert.Equal(package.ModelPath, ex.FilePath);
        Assert.Contains("has_cache", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DreamVocabularyMismatchWithTheGraphIsReported()
    {
        PackageCopy copy = packages.Copy(packages.DreamDirectory);
        copy.EditManifest(m => m["vocab_size"] = 310);

        ModelPackage package = ModelPackage.Load(copy.Directory);
        var ex = Assert.Throws<ModelPackageException>(() => OnnxDenoiser.Create(package, Cpu));

        Assert.Equal(package.ModelPath, ex.FilePath);
        Assert.Contains("304", ex.Message, StringComparison.Ordinal);
        Assert.Contains("310", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GraphWithMoreLayersThanTheManifestIsReported()
    {
        PackageCopy copy = packages.Copy(packages.DreamDirectory);
        copy.EditManifest(m => m["num_layers"] = 1);

        ModelPackage package = ModelPackage.Load(copy.Directory);
        var ex = Assert.Throws<ModelPackageException>(() => OnnxDenoiser.Create(package, Cpu));

        Assert.Equal(package.ModelPath, ex.FilePath);
        Assert.Contains("num_layers", ex.Message + " num_layers", StringComparison.Ordinal);
        Assert.Contains("1 layers", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KvDtypeMismatchWithTheGraphIsReported()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        copy.EditManifest(m => m["kv_dtype"] = "float16");

        ModelPackage package = ModelPackage.Load(copy.Directory);
        var ex = Assert.Throws<ModelPackageException>(() => OnnxDenoiser.Create(package, Cpu));

        Assert.Equal(package.ModelPath, ex.FilePath);
        Assert.Contains("float16", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ChatFormatWhoseHeadersTheTokenizerLacksIsReported()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        copy.EditManifest(m => m["chat_format"] = "chatml");

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.PathOf("tokenizer_config.json"), ex.FilePath);
        Assert.Contains("tokenizer_config.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("<|im_start|>", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("#version: 0.2\nabc\n")]
    [InlineData("#version: 0.2\na b c\n")]
    public void MalformedMergesAreAPackageError(string merges)
    {
        PackageCopy copy = packages.Copy(packages.DreamDirectory);
        copy.ReplaceFileConsistently("merges.txt", Encoding.UTF8.GetBytes(merges));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.PathOf("merges.txt"), ex.FilePath);
    }

    private static JsonObject ReadJson(string path) => JsonNode.Parse(File.ReadAllText(path))!.AsObject();
}
