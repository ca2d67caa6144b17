using System.Text.Json.Nodes;
using SkDiffusion.Packaging;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Packaging;

/// <summary>Each manifest field is checked before anything heavy loads; the error names manifest.json and the field.</summary>
[Collection(TinyPackageCollection.Name)]
public sealed class ManifestValidationTests(TinyPackages packages)
{
    public static TheoryData<string, string, string> BadValues => new()
    {
        { "vocab_size", "0", "vocab_size" },
        { "vocab_size", "-3", "vocab_size" },
        { "format_version", "0", "format_version" },
        { "num_kv_heads", "3", "num_kv_heads" },
        { "num_kv_heads", "0", "num_kv_heads" },
        { "head_dim", "0", "head_dim" },
        { "hidden_size", "0", "hidden_size" },
        { "num_layers", "0", "num_layers" },
        { "num_heads", "0", "num_heads" },
        { "intermediate_size", "0", "intermediate_size" },
        { "context_length", "2000000000", "context_length" },
        { "rope_theta", "-10000.0", "rope_theta" },
        { "rope_theta", "0", "rope_theta" },
        { "rms_norm_eps", "0", "rms_norm_eps" },
        { "rms_norm_eps", "1.5", "rms_norm_eps" },
        { "architecture", "\"llama\"", "architecture" },
        { "dtype", "\"bfloat16\"", "dtype" },
        { "kv_dtype", "\"float64\"", "kv_dtype" },
        { "chat_format", "\"vicuna\"", "chat_format" },
        { "name", "\"\"", "name" },
        { "token_ids", "null", "token_ids" },
        { "files", "null", "files" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void BadFieldIsNamed(string field, string json, string expected)
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        copy.EditManifest(m => m[field] = JsonNode.Parse(json));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains("manifest.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mask", 320)]
    [InlineData("eot", 100000)]
    [InlineData("pad", -1)]
    [InlineData("bos", 321)]
    public void TokenIdOutsideTheVocabularyIsNamed(string field, int value)
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        copy.EditManifest(m => m["token_ids"]![field] = value);

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains($"token_ids.{field}", ex.Message, StringComparison.Ordinal);
        Assert.Contains(value.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ManifestThatIsJsonNullIsReported()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        File.WriteAllText(copy.ManifestPath, "null");

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains("null", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1, 2, 3]")]
    [InlineData("\"a string\"")]
    [InlineData("")]
    public void ManifestThatIsNotAnObjectIsReported(string content)
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        File.WriteAllText(copy.ManifestPath, content);

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains("JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OversizedManifestIsRefusedBeforeParsing()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        File.AppendAllText(copy.ManifestPath, new string(' ', 4096));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory, new ModelPackageOptions { MaxManifestBytes = 2048 }));

        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains("2048", ex.Message, StringComparison.Ordinal);
        Assert.Contains("limit", ex.Message, StringComparison.Ordinal);

        // The default limit (1 MiB) accepts the same padded manifest.
        ModelPackage.Load(copy.Directory);
    }

    [Fact]
    public void UnknownManifestKeysAreIgnored()
    {
        PackageCopy copy = packages.Copy(packages.DreamDirectory);
        copy.EditManifest(m => m["future_key"] = new JsonObject { ["x"] = 1 });

        Assert.Equal("dream", ModelPackage.Load(copy.Directory).Manifest.Architecture);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/model.onnx")]
    [InlineData("")]
    [InlineData(" model.onnx")]
    [InlineData(".")]
    [InlineData("C:model.onnx")]
    public void GraphFileNameEscapingThePackageIsRefused(string name)
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        copy.EditManifest(m => m["files"]!["model"] = name);

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains($"'{name}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("plain file name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelDataNameEscapingThePackageIsRefused()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        copy.EditManifest(m => m["files"]!["model_data"] = "../../model.onnx.data");

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains("../../model.onnx.data", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileWithoutASizeEntryIsReported()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        copy.EditManifest(m => m["file_sizes"]!.AsObject().Remove("merges.txt"));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains("file_sizes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("merges.txt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileWithoutAHashEntryIsReported()
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        copy.EditManifest(m => m["sha256"]!.AsObject().Remove("vocab.json"));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains("sha256", ex.Message, StringComparison.Ordinal);
        Assert.Contains("vocab.json", ex.Message, StringComparison.Ordinal);
        ModelPackage.Load(copy.Directory, new ModelPackageOptions { VerifyChecksums = false });
    }

    [Theory]
    [InlineData("logits_shifted")]
    [InlineData("has_cache")]
    [InlineData("default_system_prompt")]
    [InlineData("format_version")]
    [InlineData("dtype")]
    [InlineData("files")]
    [InlineData("token_ids")]
    public void MissingRequiredKeyIsNamedInsteadOfDefaulted(string key)
    {
        PackageCopy copy = packages.Copy(packages.DreamDirectory);
        copy.EditManifest(m => m.Remove(key));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains($"'{key}' is missing", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("token_ids", "mask")]
    [InlineData("token_ids", "eot")]
    [InlineData("files", "model")]
    [InlineData("files", "vocab")]
    public void MissingNestedKeyIsNamed(string parent, string key)
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        copy.EditManifest(m => m[parent]!.AsObject().Remove(key));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains($"'{parent}.{key}' is missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingOptionalKeysAreAccepted()
    {
        PackageCopy copy = packages.Copy(packages.DreamDirectory);
        copy.EditManifest(m =>
        {
            m["files"]!.AsObject().Remove("model_data");
            m["token_ids"]!.AsObject().Remove("bos");
        });

        ModelPackage package = ModelPackage.Load(copy.Directory);
        Assert.Null(package.Manifest.Files.ModelData);
        Assert.Null(package.Manifest.TokenIds.Bos);
    }

    [Theory]
    [InlineData("model")]
    [InlineData("tokenizer_config")]
    public void NullFileNameIsRefused(string field)
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        copy.EditManifest(m => m["files"]![field] = null);

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains($"files.{field}", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vocab_size", "\"320\"")]
    [InlineData("has_cache", "\"yes\"")]
    [InlineData("vocab_size", "null")]
    [InlineData("file_sizes", "[1]")]
    public void ValueOfTheWrongTypeIsReported(string key, string json)
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        copy.EditManifest(m => m[key] = JsonNode.Parse(json));

        var ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));

        Assert.Equal(copy.ManifestPath, ex.FilePath);
        Assert.Contains("wrong type", ex.Message, StringComparison.Ordinal);
    }
}
