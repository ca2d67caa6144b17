using System.Text;
using System.Text.Json.Nodes;
using Onnx;
using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Reliability;

/// <summary>
/// Missing, truncated or corrupt files, manifest fields out of range, of the wrong type or missing, manifests that lie
/// about shapes, tokenizer files without their special tokens or that do not parse, graphs with wrong inputs, and hostile
/// packages: each is a <see cref="ModelPackageException"/> naming the file at fault, thrown by <see cref="ModelPackage.Load"/>
/// or, for what only the graph can tell, by <see cref="OnnxDenoiser.Create"/>.
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

    /// <summary>The cases: what is damaged, where it is caught, the file at fault and the message fragments.</summary>
    public static TheoryData<BadPackageCase> Cases => new()
    {
        // Missing, truncated, corrupt.
        new("missing manifest", c => File.Delete(c.ManifestPath), Stage.Load, "manifest.json", "missing", "manifest", "ModelBuilder"),
        new("missing vocabulary", c => File.Delete(c.PathOf("vocab.json")), Stage.Load, "vocab.json", "missing"),
        new("missing merges", c => File.Delete(c.PathOf("merges.txt")), Stage.Load, "merges.txt", "missing"),
        new("missing tokenizer config", c => File.Delete(c.PathOf("tokenizer_config.json")), Stage.Load, "tokenizer_config.json", "missing"),
        new("truncated graph", c => Truncate(c.PathOf("model.onnx"), 100), Stage.Load, "model.onnx", "truncated"),
        new("empty vocabulary file", c => Truncate(c.PathOf("vocab.json"), 0), Stage.Load, "vocab.json", "truncated"),
        new("corrupt merges (checksum)", c => FlipByte(c.PathOf("merges.txt")), Stage.Load, "merges.txt", "corrupt"),
        new("corrupt graph (checksum)", c => FlipByte(c.PathOf("model.onnx")), Stage.Load, "model.onnx", "SHA-256"),
        new("empty graph with a consistent manifest", c => c.ReplaceFileConsistently("model.onnx", []), Stage.Graph, "model.onnx", "cannot load"),
        new("truncated graph with a consistent manifest", c => c.ReplaceFileConsistently("model.onnx", File.ReadAllBytes(c.PathOf("model.onnx"))[..2000]), Stage.Load, "model.onnx", "not a well-formed protobuf"),
        new("manifest cut in half", c => Truncate(c.ManifestPath, (int)new FileInfo(c.ManifestPath).Length / 2), Stage.Load, "manifest.json", "not valid JSON"),
        new("manifest of a newer format", c => c.EditManifest(m => m["format_version"] = 99), Stage.Load, "manifest.json", "format_version is 99"),
        new("missing graph", c => File.Delete(c.PathOf("model.onnx")), Stage.Load, "model.onnx", "missing"),
        new("graph that is a folder", c => ReplaceWithFolder(c, "model.onnx"), Stage.Load, "model.onnx"),
        new("grown merges with checksums off", c => File.AppendAllText(c.PathOf("merges.txt"), "a b\n"), Stage.Load, "merges.txt", "larger than recorded") { Dream = true, Options = new() { VerifyChecksums = false } },
        new("corrupt vocabulary (checksum)", c => ReplaceFirstByte(c.PathOf("vocab.json"), (byte)'a', (byte)'b'), Stage.Load, "vocab.json", "corrupt", "SHA-256") { Dream = true },
        new("random graph with a consistent manifest", c => c.ReplaceFileConsistently("model.onnx", RandomBytes((int)new FileInfo(c.PathOf("model.onnx")).Length, 1234)), Stage.Load, "model.onnx", "model.onnx", "not a well-formed protobuf"),
        new("manifest that is JSON null", c => File.WriteAllText(c.ManifestPath, "null"), Stage.Load, "manifest.json", "null"),
        new("manifest that is not JSON", c => File.WriteAllText(c.ManifestPath, "not json at all"), Stage.Load, "manifest.json", "JSON"),
        new("manifest that is an array", c => File.WriteAllText(c.ManifestPath, "[1, 2, 3]"), Stage.Load, "manifest.json", "JSON"),
        new("manifest that is a string", c => File.WriteAllText(c.ManifestPath, "\"a string\""), Stage.Load, "manifest.json", "JSON"),
        new("manifest that is empty", c => File.WriteAllText(c.ManifestPath, ""), Stage.Load, "manifest.json", "JSON"),

        // Manifest fields out of range, of the wrong type or missing.
        new("manifest vocab_size 0", SetKey("vocab_size", "0"), Stage.Load, "manifest.json", "manifest.json", "vocab_size"),
        new("manifest vocab_size -3", SetKey("vocab_size", "-3"), Stage.Load, "manifest.json", "manifest.json", "vocab_size"),
        new("manifest format_version 0", SetKey("format_version", "0"), Stage.Load, "manifest.json", "manifest.json", "format_version"),
        new("manifest format_version 2", SetKey("format_version", "2"), Stage.Load, "manifest.json", "format_version"),
        new("manifest num_kv_heads 3", SetKey("num_kv_heads", "3"), Stage.Load, "manifest.json", "manifest.json", "num_kv_heads"),
        new("manifest num_kv_heads 0", SetKey("num_kv_heads", "0"), Stage.Load, "manifest.json", "manifest.json", "num_kv_heads"),
        new("manifest head_dim 0", SetKey("head_dim", "0"), Stage.Load, "manifest.json", "manifest.json", "head_dim"),
        new("manifest head_dim -1", SetKey("head_dim", "-1"), Stage.Load, "manifest.json", "head_dim"),
        new("manifest hidden_size 0", SetKey("hidden_size", "0"), Stage.Load, "manifest.json", "manifest.json", "hidden_size"),
        new("manifest num_layers 0", SetKey("num_layers", "0"), Stage.Load, "manifest.json", "manifest.json", "num_layers"),
        new("manifest num_heads 0", SetKey("num_heads", "0"), Stage.Load, "manifest.json", "manifest.json", "num_heads"),
        new("manifest intermediate_size 0", SetKey("intermediate_size", "0"), Stage.Load, "manifest.json", "manifest.json", "intermediate_size"),
        new("manifest context_length 0", SetKey("context_length", "0"), Stage.Load, "manifest.json", "context_length"),
        new("manifest context_length 2^30", SetKey("context_length", "1073741824"), Stage.Load, "manifest.json", "context_length"),
        new("manifest context_length 2000000000", SetKey("context_length", "2000000000"), Stage.Load, "manifest.json", "manifest.json", "context_length"),
        new("manifest rope_theta negative", SetKey("rope_theta", "-10000.0"), Stage.Load, "manifest.json", "manifest.json", "rope_theta"),
        new("manifest rope_theta 0", SetKey("rope_theta", "0"), Stage.Load, "manifest.json", "manifest.json", "rope_theta"),
        new("manifest rms_norm_eps 0", SetKey("rms_norm_eps", "0"), Stage.Load, "manifest.json", "manifest.json", "rms_norm_eps"),
        new("manifest rms_norm_eps 1.5", SetKey("rms_norm_eps", "1.5"), Stage.Load, "manifest.json", "manifest.json", "rms_norm_eps"),
        new("manifest architecture llama", SetKey("architecture", "\"llama\""), Stage.Load, "manifest.json", "manifest.json", "architecture"),
        new("manifest architecture gpt2", SetKey("architecture", "\"gpt2\""), Stage.Load, "manifest.json", "architecture"),
        new("manifest dtype bfloat16", SetKey("dtype", "\"bfloat16\""), Stage.Load, "manifest.json", "manifest.json", "dtype"),
        new("manifest dtype bfloat8", SetKey("dtype", "\"bfloat8\""), Stage.Load, "manifest.json", "dtype"),
        new("manifest kv_dtype float64", SetKey("kv_dtype", "\"float64\""), Stage.Load, "manifest.json", "manifest.json", "kv_dtype"),
        new("manifest kv_dtype int4", SetKey("kv_dtype", "\"int4\""), Stage.Load, "manifest.json", "kv_dtype"),
        new("manifest chat_format vicuna", SetKey("chat_format", "\"vicuna\""), Stage.Load, "manifest.json", "manifest.json", "chat_format"),
        new("manifest chat_format alpaca", SetKey("chat_format", "\"alpaca\""), Stage.Load, "manifest.json", "chat_format"),
        new("manifest empty name", SetKey("name", "\"\""), Stage.Load, "manifest.json", "manifest.json", "name"),
        new("manifest token_ids null", SetKey("token_ids", "null"), Stage.Load, "manifest.json", "manifest.json", "token_ids"),
        new("manifest files null", SetKey("files", "null"), Stage.Load, "manifest.json", "manifest.json", "files"),
        new("manifest eot id outside the vocabulary", c => c.EditManifest(m => m["token_ids"]!["eot"] = 100000), Stage.Load, "manifest.json", "token_ids.eot", "100000"),
        new("manifest pad id outside the vocabulary", c => c.EditManifest(m => m["token_ids"]!["pad"] = -1), Stage.Load, "manifest.json", "token_ids.pad", "-1"),
        new("manifest bos id outside the vocabulary", c => c.EditManifest(m => m["token_ids"]!["bos"] = 321), Stage.Load, "manifest.json", "token_ids.bos", "321"),
        new("manifest eos id negative", c => c.EditManifest(m => m["token_ids"]!["eos"] = -5), Stage.Load, "manifest.json", "token_ids.eos"),
        new("manifest vocab_size a string", SetKey("vocab_size", "\"320\""), Stage.Load, "manifest.json", "wrong type"),
        new("manifest has_cache a string", SetKey("has_cache", "\"yes\""), Stage.Load, "manifest.json", "wrong type"),
        new("manifest vocab_size null", SetKey("vocab_size", "null"), Stage.Load, "manifest.json", "wrong type"),
        new("manifest file_sizes an array", SetKey("file_sizes", "[1]"), Stage.Load, "manifest.json", "wrong type"),
        new("manifest without vocab_size", c => c.EditManifest(m => m.Remove("vocab_size")), Stage.Load, "manifest.json", "vocab_size"),
        new("manifest without logits_shifted", c => c.EditManifest(m => m.Remove("logits_shifted")), Stage.Load, "manifest.json", "'logits_shifted' is missing") { Dream = true },
        new("manifest without has_cache", c => c.EditManifest(m => m.Remove("has_cache")), Stage.Load, "manifest.json", "'has_cache' is missing") { Dream = true },
        new("manifest without default_system_prompt", c => c.EditManifest(m => m.Remove("default_system_prompt")), Stage.Load, "manifest.json", "'default_system_prompt' is missing") { Dream = true },
        new("manifest without format_version", c => c.EditManifest(m => m.Remove("format_version")), Stage.Load, "manifest.json", "'format_version' is missing") { Dream = true },
        new("manifest without dtype", c => c.EditManifest(m => m.Remove("dtype")), Stage.Load, "manifest.json", "'dtype' is missing") { Dream = true },
        new("manifest without files", c => c.EditManifest(m => m.Remove("files")), Stage.Load, "manifest.json", "'files' is missing") { Dream = true },
        new("manifest without token_ids", c => c.EditManifest(m => m.Remove("token_ids")), Stage.Load, "manifest.json", "'token_ids' is missing") { Dream = true },
        new("manifest without token_ids.mask", c => c.EditManifest(m => m["token_ids"]!.AsObject().Remove("mask")), Stage.Load, "manifest.json", "'token_ids.mask' is missing"),
        new("manifest without token_ids.eot", c => c.EditManifest(m => m["token_ids"]!.AsObject().Remove("eot")), Stage.Load, "manifest.json", "'token_ids.eot' is missing"),
        new("manifest without files.model", c => c.EditManifest(m => m["files"]!.AsObject().Remove("model")), Stage.Load, "manifest.json", "'files.model' is missing"),
        new("manifest without files.vocab", c => c.EditManifest(m => m["files"]!.AsObject().Remove("vocab")), Stage.Load, "manifest.json", "'files.vocab' is missing"),
        new("manifest files.model null", c => c.EditManifest(m => m["files"]!["model"] = null), Stage.Load, "manifest.json", "files.model"),
        new("manifest files.tokenizer_config null", c => c.EditManifest(m => m["files"]!["tokenizer_config"] = null), Stage.Load, "manifest.json", "files.tokenizer_config"),
        new("manifest without the size of a file", c => c.EditManifest(m => m["file_sizes"]!.AsObject().Remove("merges.txt")), Stage.Load, "manifest.json", "file_sizes", "merges.txt"),

        // A manifest that lies about shapes.
        new("manifest vocabulary larger than the graph's", c => c.EditManifest(m => m["vocab_size"] = 400), Stage.Graph, "model.onnx", "400", "vocab_size"),
        new("manifest kv heads not the graph's", c => c.EditManifest(m => { m["num_kv_heads"] = 2; }), Stage.Graph, "model.onnx", "the manifest implies float32 [batch, 2, past"),
        new("manifest head dim not the graph's", c => c.EditManifest(m => m["head_dim"] = 4), Stage.Graph, "model.onnx", "the manifest implies"),
        new("manifest layer count not the graph's", c => c.EditManifest(m => m["num_layers"] = 3), Stage.Graph, "model.onnx", "3 layers", "past inputs"),
        new("manifest mask id outside the vocabulary", c => c.EditManifest(m => m["token_ids"]!["mask"] = 320), Stage.Load, "manifest.json", "token_ids.mask is 320"),
        new("manifest with a huge vocabulary", c => c.EditManifest(m => m["vocab_size"] = 2_000_000_000), Stage.Load, "manifest.json", "vocab_size is 2000000000"),
        new("manifest with a huge context", c => c.EditManifest(m => m["context_length"] = int.MaxValue), Stage.Load, "manifest.json", "context_length"),
        new("manifest size that is absurd", c => c.EditManifest(m => m["file_sizes"]!["vocab.json"] = 1L << 50), Stage.Load, "vocab.json", "truncated"),
        new("Dream manifest vocabulary not the graph's", c => c.EditManifest(m => m["vocab_size"] = 310), Stage.Graph, "model.onnx", "304", "310") { Dream = true },
        new("Dream manifest with fewer layers than the graph", c => c.EditManifest(m => m["num_layers"] = 1), Stage.Graph, "model.onnx", "1 layers") { Dream = true },
        new("manifest kv dtype not the graph's", c => c.EditManifest(m => m["kv_dtype"] = "float16"), Stage.Graph, "model.onnx", "float16"),
        new("manifest without a cache on a graph with past inputs", c => c.EditManifest(m => m["has_cache"] = false), Stage.Graph, "model.onnx", "has_cache"),

        // Tokenizer files without the special tokens.
        new("tokenizer config without special tokens", c => EditConfig(c, j => j["special_tokens"] = new JsonObject()), Stage.Load, "tokenizer_config.json", "special_tokens has no token"),
        new("tokenizer config without the mask token", c => EditConfig(c, j => j["special_tokens"]!.AsObject().Remove("<|mdm_mask|>")), Stage.Load, "tokenizer_config.json", "mask id"),
        new("tokenizer config without the special_tokens key", c => EditConfig(c, j => j.Remove("special_tokens")), Stage.Load, "tokenizer_config.json", "special_tokens is missing"),
        new("tokenizer config without the pre-tokenizer", c => EditConfig(c, j => j.Remove("pre_tokenizer_regex")), Stage.Load, "tokenizer_config.json", "pre_tokenizer_regex"),
        new("special token id that is not an integer", c => EditConfig(c, j => j["special_tokens"]!["<|mdm_mask|>"] = 1.5), Stage.Load, "tokenizer_config.json", "not an integer"),
        new("special token name that is not UTF-8", c => c.ReplaceFileConsistently("tokenizer_config.json", InvalidUtf8Config(c)), Stage.Load, "tokenizer_config.json", "not valid UTF-8"),
        new("vocabulary token that is not UTF-8", c => c.ReplaceFileConsistently("vocab.json", [.. "{\"a"u8, 0xE4, .. "\": 1}"u8]), Stage.Load, "vocab.json", "not a valid token-to-id JSON object"),
        new("vocabulary that is JSON null", c => c.ReplaceFileConsistently("vocab.json", "null"u8.ToArray()), Stage.Load, "vocab.json", "null"),
        new("special token id outside the vocabulary", c => EditConfig(c, j => j["special_tokens"]!["<|extra|>"] = 5000), Stage.Load, "tokenizer_config.json", "<|extra|>", "5000"),
        new("Dream tokenizer config without the end-of-turn token", c => EditConfig(c, j => j["special_tokens"]!.AsObject().Remove("<|im_end|>")), Stage.Load, "tokenizer_config.json", "eot") { Dream = true },
        new("tokenizer config that is not JSON", c => c.ReplaceFileConsistently("tokenizer_config.json", "{ special_tokens: "u8.ToArray()), Stage.Load, "tokenizer_config.json", "JSON"),
        new("tokenizer config with a bad pre-tokenizer regex", c => EditConfig(c, j => j["pre_tokenizer_regex"] = "(unclosed"), Stage.Load, "tokenizer_config.json", "pre_tokenizer_regex"),
        new("chat format whose headers the tokenizer lacks", c => c.EditManifest(m => m["chat_format"] = "chatml"), Stage.Load, "tokenizer_config.json", "tokenizer_config.json", "<|im_start|>"),
        new("vocabulary cut short", c => c.ReplaceFileConsistently("vocab.json", "{ \"a\": "u8.ToArray()), Stage.Load, "vocab.json", "JSON") { Dream = true },
        new("vocabulary that is an array", c => c.ReplaceFileConsistently("vocab.json", "[\"a\", \"b\"]"u8.ToArray()), Stage.Load, "vocab.json", "JSON") { Dream = true },
        new("vocabulary id that is a string", c => c.ReplaceFileConsistently("vocab.json", "{ \"a\": \"one\" }"u8.ToArray()), Stage.Load, "vocab.json", "JSON") { Dream = true },
        new("vocabulary id outside the manifest vocabulary", c => EditJson(c, "vocab.json", j => j["zzz-extra"] = 9999), Stage.Load, "vocab.json", "9999") { Dream = true },
        new("merges line without a pair", c => c.ReplaceFileConsistently("merges.txt", "#version: 0.2\nabc\n"u8.ToArray()), Stage.Load, "merges.txt") { Dream = true },
        new("merges line with three parts", c => c.ReplaceFileConsistently("merges.txt", "#version: 0.2\na b c\n"u8.ToArray()), Stage.Load, "merges.txt") { Dream = true },

        // A graph with wrong input names or types.
        new("graph input renamed", c => EditGraph(c, g => OnnxGraphEdit.Rename(g, "input_ids", "tokens")), Stage.Graph, "model.onnx", "no input 'input_ids'"),
        new("graph attention mask renamed", c => EditGraph(c, g => OnnxGraphEdit.Rename(g, "attention_mask", "mask")), Stage.Graph, "model.onnx", "attention_mask"),
        new("graph output renamed", c => EditGraph(c, g => OnnxGraphEdit.Rename(g, "logits", "scores")), Stage.Graph, "model.onnx", "no output 'logits'"),
        new("graph input of type int32", c => EditGraph(c, g => OnnxGraphEdit.RetypeInput(g, "position_ids", TensorProto.Types.DataType.Int32)), Stage.Graph, "model.onnx", "position_ids"),

        // Hostile packages.
        new("vocabulary path escaping the folder", c => c.EditManifest(m => m["files"]!["vocab"] = "../vocab.json"), Stage.Load, "manifest.json", "not a plain file name"),
        new("merges path that is absolute", c => c.EditManifest(m => m["files"]!["merges"] = "/etc/passwd"), Stage.Load, "manifest.json", "not a plain file name"),
        new("config path with a backslash", c => c.EditManifest(m => m["files"]!["tokenizer_config"] = @"..\tokenizer_config.json"), Stage.Load, "manifest.json", "not a plain file name"),
        new("file name with a NUL", c => c.EditManifest(m => m["files"]!["vocab"] = "vocab\0.json"), Stage.Load, "manifest.json", "not a plain file name"),
        new("symlinked vocabulary", c => MoveAndLink(c, "vocab.json"), Stage.Load, "vocab.json", "link"),
        new("symlinked merges", c => MoveAndLink(c, "merges.txt"), Stage.Load, "merges.txt", "link"),
        new("symlinked graph", c => MoveAndLink(c, "model.onnx"), Stage.Load, "model.onnx", "model.onnx", "link") { Dream = true },
        new("symlinked manifest", c => MoveAndLink(c, "manifest.json"), Stage.Load, "manifest.json", "link"),
        new("vocabulary path to a copy above the folder", c => PointVocabOutside(c, "../vocab.json"), Stage.Load, "manifest.json", "plain file name"),
        new("vocabulary path into a subfolder", c => PointVocabOutside(c, "sub/vocab.json"), Stage.Load, "manifest.json", "plain file name"),
        new("vocabulary path with a backslash", c => PointVocabOutside(c, @"..\vocab.json"), Stage.Load, "manifest.json", "plain file name"),
        new("vocabulary path that is absolute", c => PointVocabOutside(c, "/etc/passwd"), Stage.Load, "manifest.json", "plain file name"),
        new("vocabulary path that is the parent", c => PointVocabOutside(c, ".."), Stage.Load, "manifest.json", "plain file name"),
        new("graph path escaping the folder", SetGraphName("../x"), Stage.Load, "manifest.json", "'../x'", "plain file name"),
        new("graph path that is absolute", SetGraphName("/etc/passwd"), Stage.Load, "manifest.json", "'/etc/passwd'", "plain file name"),
        new("graph path into a subfolder", SetGraphName("sub/model.onnx"), Stage.Load, "manifest.json", "'sub/model.onnx'", "plain file name"),
        new("graph path that is empty", SetGraphName(""), Stage.Load, "manifest.json", "''", "plain file name"),
        new("graph path with a leading space", SetGraphName(" model.onnx"), Stage.Load, "manifest.json", "' model.onnx'", "plain file name"),
        new("graph path that is the folder", SetGraphName("."), Stage.Load, "manifest.json", "'.'", "plain file name"),
        new("graph path with a drive", SetGraphName("C:model.onnx"), Stage.Load, "manifest.json", "'C:model.onnx'", "plain file name"),
        new("graph data path escaping the folder", c => c.EditManifest(m => m["files"]!["model_data"] = "../../model.onnx.data"), Stage.Load, "manifest.json", "../../model.onnx.data"),
        new("huge sparse vocabulary with a consistent manifest", c => HugeSparse(c, "vocab.json", 3L << 30), Stage.Load, "vocab.json", "limit"),
        new("huge sparse merges with a consistent manifest", c => HugeSparse(c, "merges.txt", 1L << 30), Stage.Load, "merges.txt", "limit"),
        new("oversized manifest", c => File.AppendAllText(c.ManifestPath, new string(' ', 2 << 20)), Stage.Load, "manifest.json", "limit"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_refused_naming_the_file(BadPackageCase bad)
    {
        PackageCopy copy = packages.Copy(bad.Dream ? packages.DreamDirectory : packages.LladaDirectory);
        bad.Damage(copy);

        ModelPackageException ex;
        if (bad.Stage == Stage.Load)
        {
            ex = Assert.Throws<ModelPackageException>(() => ModelPackage.Load(copy.Directory, bad.Options));
        }
        else
        {
            ModelPackage package = ModelPackage.Load(copy.Directory, bad.Options);
            ex = Assert.Throws<ModelPackageException>(() => OnnxDenoiser.Create(package, Cpu));
        }

        Assert.Equal(copy.PathOf(bad.File), ex.FilePath);
        foreach (string fragment in bad.Fragments)
        {
            Assert.True(ex.Message.Contains(fragment, StringComparison.Ordinal), $"{bad.Name}: '{ex.Message}' lacks '{fragment}'");
        }
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

    private static void ReplaceFirstByte(string path, byte from, byte to)
    {
        byte[] bytes = File.ReadAllBytes(path);
        bytes[Array.IndexOf(bytes, from)] = to;
        File.WriteAllBytes(path, bytes);
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static void ReplaceWithFolder(PackageCopy copy, string name)
    {
        File.Delete(copy.PathOf(name));
        Directory.CreateDirectory(copy.PathOf(name));
    }

    /// <summary>Sets a manifest key to a JSON value.</summary>
    private static Action<PackageCopy> SetKey(string key, string json) => c => c.EditManifest(m => m[key] = JsonNode.Parse(json));

    private static Action<PackageCopy> SetGraphName(string name) => c => c.EditManifest(m => m["files"]!["model"] = name);

    /// <summary>Copies the vocabulary next to the package folder, where <paramref name="name"/> might reach it, and points the manifest at that name.</summary>
    private static void PointVocabOutside(PackageCopy copy, string name)
    {
        File.Copy(copy.PathOf("vocab.json"), Path.Combine(Path.GetDirectoryName(copy.Directory)!, "vocab.json"));
        copy.EditManifest(m => m["files"]!["vocab"] = name);
    }

    private static void EditConfig(PackageCopy copy, Action<JsonObject> edit) => EditJson(copy, "tokenizer_config.json", edit);

    /// <summary>Edits a JSON package file and records its new size and hash.</summary>
    private static void EditJson(PackageCopy copy, string name, Action<JsonObject> edit)
    {
        JsonObject root = JsonNode.Parse(File.ReadAllText(copy.PathOf(name)))!.AsObject();
        edit(root);
        copy.ReplaceFileConsistently(name, Encoding.UTF8.GetBytes(root.ToJsonString()));
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
