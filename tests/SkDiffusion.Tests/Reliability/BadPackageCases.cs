using System.Text;
using System.Text.Json.Nodes;
using Onnx;
using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Reliability;

/// <summary>
/// Missing, truncated or corrupt files, manifests that lie about shapes, tokenizers without their special tokens,
/// graphs with wrong inputs, and hostile packages: each is a <see cref="ModelPackageException"/> naming the file at
/// fault, thrown by <see cref="ModelPackage.Load"/> or, for what only the graph can tell, by <see cref="OnnxDenoiser.Create"/>.
/// </summary>
[Collection(TinyPackageCollection.Name)]
public sealed class BadPackageCases(TinyPackages packages)
{
    private static readonly OnnxDenoiserOptions Cpu = new() { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 };

    /// <summary>Where a case is detected.</summary>
    public enum Stage
    {
        /// <summary><see cref="ModelPackage.Load"/>.</summary>
        Load,

        /// <summary><see cref="OnnxDenoiser.Create"/> (the package itself loads).</summary>
        Graph,
    }

    /// <summary>(case name, damage, where it is caught, file at fault, message fragment).</summary>
    public static TheoryData<string, Action<PackageCopy>, Stage, string, string> Cases => new()
    {
        // Missing, truncated, corrupt.
        { "missing manifest", c => File.Delete(c.ManifestPath), Stage.Load, "manifest.json", "missing" },
        { "missing vocabulary", c => File.Delete(c.PathOf("vocab.json")), Stage.Load, "vocab.json", "missing" },
        { "missing merges", c => File.Delete(c.PathOf("merges.txt")), Stage.Load, "merges.txt", "missing" },
        { "missing tokenizer config", c => File.Delete(c.PathOf("tokenizer_config.json")), Stage.Load, "tokenizer_config.json", "missing" },
        { "truncated graph", c => Truncate(c.PathOf("model.onnx"), 100), Stage.Load, "model.onnx", "truncated" },
        { "empty vocabulary file", c => Truncate(c.PathOf("vocab.json"), 0), Stage.Load, "vocab.json", "truncated" },
        { "corrupt merges (checksum)", c => FlipByte(c.PathOf("merges.txt")), Stage.Load, "merges.txt", "corrupt" },
        { "corrupt graph (checksum)", c => FlipByte(c.PathOf("model.onnx")), Stage.Load, "model.onnx", "SHA-256" },
        { "empty graph with a consistent manifest", c => c.ReplaceFileConsistently("model.onnx", []), Stage.Graph, "model.onnx", "cannot load" },
        { "truncated graph with a consistent manifest", c => c.ReplaceFileConsistently("model.onnx", File.ReadAllBytes(c.PathOf("model.onnx"))[..2000]), Stage.Graph, "model.onnx", "cannot load" },
        { "manifest cut in half", c => Truncate(c.ManifestPath, (int)new FileInfo(c.ManifestPath).Length / 2), Stage.Load, "manifest.json", "not valid JSON" },
        { "manifest of a newer format", c => c.EditManifest(m => m["format_version"] = 99), Stage.Load, "manifest.json", "format_version is 99" },

        // A manifest that lies about shapes.
        { "manifest vocabulary larger than the graph's", c => c.EditManifest(m => m["vocab_size"] = 400), Stage.Graph, "model.onnx", "400" },
        { "manifest kv heads not the graph's", c => c.EditManifest(m => { m["num_kv_heads"] = 2; }), Stage.Graph, "model.onnx", "the manifest implies float32 [batch, 2, past" },
        { "manifest head dim not the graph's", c => c.EditManifest(m => m["head_dim"] = 4), Stage.Graph, "model.onnx", "the manifest implies" },
        { "manifest layer count not the graph's", c => c.EditManifest(m => m["num_layers"] = 3), Stage.Graph, "model.onnx", "3 layers" },
        { "manifest mask id outside the vocabulary", c => c.EditManifest(m => m["token_ids"]!["mask"] = 320), Stage.Load, "manifest.json", "token_ids.mask is 320" },
        { "manifest with a huge vocabulary", c => c.EditManifest(m => m["vocab_size"] = 2_000_000_000), Stage.Load, "manifest.json", "vocab_size is 2000000000" },
        { "manifest with a huge context", c => c.EditManifest(m => m["context_length"] = int.MaxValue), Stage.Load, "manifest.json", "context_length" },
        { "manifest size that is absurd", c => c.EditManifest(m => m["file_sizes"]!["vocab.json"] = 1L << 50), Stage.Load, "vocab.json", "truncated" },

        // Tokenizer files without the special tokens.
        { "tokenizer config without special tokens", c => EditConfig(c, j => j["special_tokens"] = new JsonObject()), Stage.Load, "tokenizer_config.json", "special_tokens has no token" },
        { "tokenizer config without the mask token", c => EditConfig(c, j => j["special_tokens"]!.AsObject().Remove("<|mdm_mask|>")), Stage.Load, "tokenizer_config.json", "mask id" },
        { "tokenizer config without the special_tokens key", c => EditConfig(c, j => j.Remove("special_tokens")), Stage.Load, "tokenizer_config.json", "special_tokens is missing" },
        { "tokenizer config without the pre-tokenizer", c => EditConfig(c, j => j.Remove("pre_tokenizer_regex")), Stage.Load, "tokenizer_config.json", "pre_tokenizer_regex" },
        { "special token id that is not an integer", c => EditConfig(c, j => j["special_tokens"]!["<|mdm_mask|>"] = 1.5), Stage.Load, "tokenizer_config.json", "not an integer" },
        { "special token name that is not UTF-8", c => c.ReplaceFileConsistently("tokenizer_config.json", InvalidUtf8Config(c)), Stage.Load, "tokenizer_config.json", "not valid UTF-8" },
        { "vocabulary token that is not UTF-8", c => c.ReplaceFileConsistently("vocab.json", [.. "{\"a"u8, 0xE4, .. "\": 1}"u8]), Stage.Load, "vocab.json", "not a valid token-to-id JSON object" },
        { "vocabulary that is JSON null", c => c.ReplaceFileConsistently("vocab.json", "null"u8.ToArray()), Stage.Load, "vocab.json", "null" },

        // A graph with wrong input names or types.
        { "graph input renamed", c => EditGraph(c, g => OnnxGraphEdit.Rename(g, "input_ids", "tokens")), Stage.Graph, "model.onnx", "no input 'input_ids'" },
        { "graph attention mask renamed", c => EditGraph(c, g => OnnxGraphEdit.Rename(g, "attention_mask", "mask")), Stage.Graph, "model.onnx", "attention_mask" },
        { "graph output renamed", c => EditGraph(c, g => OnnxGraphEdit.Rename(g, "logits", "scores")), Stage.Graph, "model.onnx", "no output 'logits'" },
        { "graph input of type int32", c => EditGraph(c, g => OnnxGraphEdit.RetypeInput(g, "position_ids", TensorProto.Types.DataType.Int32)), Stage.Graph, "model.onnx", "position_ids" },

        // Hostile packages.
        { "vocabulary path escaping the folder", c => c.EditManifest(m => m["files"]!["vocab"] = "../vocab.json"), Stage.Load, "manifest.json", "not a plain file name" },
        { "merges path that is absolute", c => c.EditManifest(m => m["files"]!["merges"] = "/etc/passwd"), Stage.Load, "manifest.json", "not a plain file name" },
        { "config path with a backslash", c => c.EditManifest(m => m["files"]!["tokenizer_config"] = @"..\tokenizer_config.json"), Stage.Load, "manifest.json", "not a plain file name" },
        { "file name with a NUL", c => c.EditManifest(m => m["files"]!["vocab"] = "vocab\0.json"), Stage.Load, "manifest.json", "not a plain file name" },
        { "symlinked vocabulary", c => MoveAndLink(c, "vocab.json"), Stage.Load, "vocab.json", "link" },
        { "symlinked merges", c => MoveAndLink(c, "merges.txt"), Stage.Load, "merges.txt", "link" },
        { "huge sparse vocabulary with a consistent manifest", c => HugeSparse(c, "vocab.json", 3L << 30), Stage.Load, "vocab.json", "limit" },
        { "huge sparse merges with a consistent manifest", c => HugeSparse(c, "merges.txt", 1L << 30), Stage.Load, "merges.txt", "limit" },
        { "oversized manifest", c => File.AppendAllText(c.ManifestPath, new string(' ', 2 << 20)), Stage.Load, "manifest.json", "limit" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_refused_naming_the_file(string name, Action<PackageCopy> damage, Stage stage, string file, string fragment)
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        damage(copy);

        ModelPackageException ex;
        if (stage == Stage.Load)
        {
            ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory));
        }
        else
        {
            ModelPackage package = ModelPackage.Load(copy.Directory);
            ex = Assert.Throws<ModelPackageException>(() => OnnxDenoiser.Create(package, Cpu));
        }

        Assert.Equal(copy.PathOf(file), ex.FilePath);
        Assert.True(ex.Message.Contains(fragment, StringComparison.Ordinal), $"{name}: '{ex.Message}' lacks '{fragment}'");
    }

    private static void Truncate(string path, int length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.SetLength(length);
    }

    private static void FlipByte(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x20;
        File.WriteAllBytes(path, bytes);
    }

    private static void EditConfig(PackageCopy copy, Action<JsonObject> edit)
    {
        JsonObject config = JsonNode.Parse(File.ReadAllText(copy.PathOf("tokenizer_config.json")))!.AsObject();
        edit(config);
        copy.ReplaceFileConsistently("tokenizer_config.json", Encoding.UTF8.GetBytes(config.ToJsonString()));
    }

    /// <summary>The tokenizer config with a lone 0xE4 byte inside the first special token's name.</summary>
    private static byte[] InvalidUtf8Config(PackageCopy copy)
    {
        byte[] bytes = File.ReadAllBytes(copy.PathOf("tokenizer_config.json"));
        int at = Array.IndexOf(bytes, (byte)'<', Array.IndexOf(bytes, (byte)'{', 1));
        bytes[at + 1] = 0xE4;
        return bytes;
    }

    private static void EditGraph(PackageCopy copy, Func<byte[], byte[]> edit) =>
        copy.ReplaceFileConsistently("model.onnx", edit(File.ReadAllBytes(copy.PathOf("model.onnx"))));

    private static void MoveAndLink(PackageCopy copy, string name)
    {
        string outside = Path.Combine(Path.GetDirectoryName(copy.Directory)!, name);
        File.Move(copy.PathOf(name), outside);
        File.CreateSymbolicLink(copy.PathOf(name), outside);
    }

    /// <summary>A sparse file of <paramref name="length"/> bytes (no disk use) recorded consistently in the manifest (its hash is not checked above the checksum size limit).</summary>
    private static void HugeSparse(PackageCopy copy, string name, long length)
    {
        using (var stream = new FileStream(copy.PathOf(name), FileMode.Truncate, FileAccess.Write))
        {
            stream.SetLength(length);
        }

        copy.EditManifest(m => m["file_sizes"]![name] = length);
    }
}
