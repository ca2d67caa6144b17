using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Sampling;
using SkDiffusion.Sampling.Canvas;
using SkDiffusion.Sampling.Remasking;
using SkDiffusion.Templates;
using SkDiffusion.Tests.Sampling;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Reliability;

/// <summary>
/// Turns a <see cref="BadInputCase"/> into a call on the public API. Package cases damage a scratch copy of the tiny
/// LLaDA package (re-recording sizes and hashes, so only the intended fault remains); sampler cases run a fake denoiser
/// over a 32-token vocabulary; denoiser cases run the tiny package's graph.
/// </summary>
internal static class BadInputRunner
{
    private static readonly OnnxDenoiserOptions Cpu = new() { ExecutionProvider = ExecutionProvider.Cpu, IntraOpThreads = 1 };

    /// <summary>Runs the case; returns a description of the result for <c>handled</c> cases.</summary>
    public static async Task<string> RunAsync(BadInputCase c, TinyPackages packages)
    {
        JsonElement a = c.Args;
        switch (c.Area)
        {
            case "sampler-options":
                Options(a).Validate();
                return "valid";
            case "sampler-run":
                return await SampleAsync(a);
            case "canvas":
                Canvas(a);
                return "built";
            case "templates":
                Template(a);
                return "built";
            case "packages":
            case "tokenizer":
                return await PackageAsync(a, packages);
            case "denoiser":
                return await DenoiseAsync(a, packages);
            default:
                throw new InvalidOperationException($"Unknown area '{c.Area}' in bad-inputs.json.");
        }
    }

    private static SamplerOptions Options(JsonElement a)
    {
        var options = new SamplerOptions();
        if (a.ValueKind == JsonValueKind.Object && a.TryGetProperty("set", out JsonElement set))
        {
            foreach (JsonProperty p in set.EnumerateObject())
            {
                if (p.Name == "RemaskingStrategy")
                {
                    options.Remasking = new RemaskingOptions { Strategy = Enum.Parse<RemaskingStrategy>(p.Value.GetString()!) };
                    continue;
                }

                PropertyInfo property = typeof(SamplerOptions).GetProperty(p.Name) ?? throw new InvalidOperationException($"SamplerOptions has no property {p.Name}.");
                property.SetValue(options, Convert(p.Value, property.PropertyType));
            }
        }

        return options;
    }

    private static object? Convert(JsonElement value, Type type)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (t.IsEnum)
        {
            return value.ValueKind == JsonValueKind.Number ? Enum.ToObject(t, value.GetInt32()) : Enum.Parse(t, value.GetString()!);
        }

        if (value.ValueKind == JsonValueKind.String && (t == typeof(double) || t == typeof(float)))
        {
            double d = value.GetString() switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                "MaxValue" => t == typeof(float) ? float.MaxValue : double.MaxValue,
                var s => throw new InvalidOperationException($"Unknown number '{s}'."),
            };
            return t == typeof(float) ? (float)d : d;
        }

        if (value.ValueKind == JsonValueKind.String && t == typeof(int))
        {
            return Int(value, 0, 0);
        }

        return value.Deserialize(t);
    }

    /// <summary>An int written as a number or as <c>MaxValue</c>, <c>MinValue</c>, <c>V</c> (vocabulary), <c>C</c> (context), with <c>+k</c>/<c>-k</c>.</summary>
    private static int Int(JsonElement value, int vocab, int context)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetInt32();
        }

        string s = value.GetString()!;
        int sign = s.IndexOfAny(['+', '-'], 1);
        string head = sign < 0 ? s : s[..sign];
        long baseValue = head switch
        {
            "MaxValue" => int.MaxValue,
            "MinValue" => int.MinValue,
            "V" => vocab,
            "C" => context,
            _ => long.Parse(head, System.Globalization.CultureInfo.InvariantCulture),
        };
        long delta = sign < 0 ? 0 : long.Parse(s[sign..], System.Globalization.CultureInfo.InvariantCulture);
        return (int)(baseValue + delta);
    }

    private static int[] Ints(JsonElement array, int vocab = 0, int context = 0) => [.. array.EnumerateArray().Select(e => Int(e, vocab, context))];

    private static DiffusionCanvas Canvas(JsonElement a)
    {
        int[] prompt = a.TryGetProperty("prompt", out JsonElement p) ? Ints(p) : SamplerTestKit.Prompt;
        if (a.TryGetProperty("answer", out JsonElement answer))
        {
            return DiffusionCanvas.FromPrompt(prompt, Int(answer, 0, 0));
        }

        var template = new CanvasTemplate();
        foreach (JsonElement op in a.GetProperty("template").EnumerateArray())
        {
            string kind = op[0].GetString()!;
            if (kind == "slot")
            {
                template.AddSlot(Int(op[1], 0, 0), op.GetArrayLength() > 2 ? new CanvasSlotOptions { AllowedTokens = Ints(op[2]) } : null);
            }
            else
            {
                template.AddTokens(Ints(op[1]));
            }
        }

        int rows = a.TryGetProperty("rows", out JsonElement r) ? r.GetInt32() : 1;
        var builder = DiffusionCanvas.CreateBuilder();
        for (int i = 0; i < rows; i++)
        {
            builder.Add(prompt, template);
        }

        return builder.Build();
    }

    private static async Task<string> SampleAsync(JsonElement a)
    {
        DiffusionCanvas canvas = Canvas(a);
        SamplerOptions options = Options(a);
        string logits = a.TryGetProperty("logits", out JsonElement l) ? l.GetString()! : "peaked";
        int at = a.TryGetProperty("at", out JsonElement atElement) ? atElement.GetInt32() : 0;
        float bad = logits switch { "nan" => float.NaN, "inf" => float.PositiveInfinity, "-inf" => float.NegativeInfinity, _ => 0 };
        var denoiser = new FakeDenoiser(SamplingTestIds.Vocab, (row, tokens, position, span) =>
        {
            FakeDenoiser.Peaked(span, 1 + (position % 9), 0.9);
            if (logits != "peaked" && position == at)
            {
                span[3] = bad;
            }
        });
        SamplingResult result = await SamplerTestKit.Sampler(denoiser).SampleAsync(canvas, options);
        int masks = result.Sequences.Sum(s => s.Tokens.Count(t => t == SamplingTestIds.Mask));
        return $"masks left {masks}, nfe {result.Nfe}, finish {result.FinishReason}";
    }

    private static void Template(JsonElement a)
    {
        if (a.TryGetProperty("parse", out JsonElement text))
        {
            TextTemplate.Parse(text.GetString()!);
            return;
        }

        TemplateSlot Slot(string? name = "x", IReadOnlyList<string>? choices = null, string? separator = ", ", TemplateSlotKind kind = TemplateSlotKind.Text, int count = 0) =>
            new() { Name = name!, Kind = kind, MaxLength = 4, Choices = choices!, Separator = separator!, Count = count == 0 ? null : count };
        IReadOnlyList<string> none = [];
        TemplateSegment[] segments = a.GetProperty("code").GetString() switch
        {
            "null segment" => [TemplateSegment.FromText("a"), null!, TemplateSegment.FromSlot(Slot())],
            "null slot" => [TemplateSegment.FromSlot(null!)],
            "null text" => [TemplateSegment.FromText(null!)],
            "empty text" => [TemplateSegment.FromText("")],
            "null name" => [TemplateSegment.FromSlot(Slot(name: null, choices: none))],
            "null choices" => [TemplateSegment.FromSlot(Slot(choices: null, kind: TemplateSlotKind.Enum))],
            "null choices on text" => [TemplateSegment.FromSlot(Slot(choices: null))],
            "null option" => [TemplateSegment.FromSlot(Slot(choices: ["a", null!], kind: TemplateSlotKind.Enum))],
            "null separator" => [TemplateSegment.FromSlot(Slot(choices: none, separator: null, count: 2))],
            "no slot" => [TemplateSegment.FromText("only text")],
            "duplicate names" => [TemplateSegment.FromSlot(Slot(choices: none)), TemplateSegment.FromSlot(Slot(choices: none))],
            "null list" => null!,
            var other => throw new InvalidOperationException($"Unknown code template '{other}'."),
        };
        TextTemplate.Create(segments);
    }

    private static async Task<string> PackageAsync(JsonElement a, TinyPackages packages)
    {
        PackageCopy copy = packages.Copy(packages.LladaDirectory);
        if (a.TryGetProperty("encode_chars", out JsonElement chars))
        {
            int n = Int(chars, 0, 0);
            packages.Llada.Tokenizer.EncodeToIds(new string('a', n));
            return "encoded";
        }

        if (a.TryGetProperty("manifest", out JsonElement manifest))
        {
            copy.EditManifest(root =>
            {
                foreach (JsonProperty p in manifest.EnumerateObject())
                {
                    string[] path = p.Name.Split('.');
                    JsonObject node = root;
                    foreach (string part in path[..^1])
                    {
                        node = node[part]!.AsObject();
                    }

                    if (p.Value.ValueKind == JsonValueKind.Undefined || (p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() == "<remove>"))
                    {
                        node.Remove(path[^1]);
                    }
                    else if (p.Value.ValueKind == JsonValueKind.String && p.Value.GetString()!.StartsWith('@'))
                    {
                        node[path[^1]] = Derived(root, p.Value.GetString()!);
                    }
                    else
                    {
                        node[path[^1]] = JsonNode.Parse(p.Value.GetRawText());
                    }
                }
            });
        }

        if (a.TryGetProperty("config", out JsonElement config))
        {
            var root = JsonNode.Parse(File.ReadAllText(copy.PathOf("tokenizer_config.json")))!.AsObject();
            foreach (JsonProperty p in config.EnumerateObject())
            {
                root[p.Name] = JsonNode.Parse(p.Value.GetRawText());
            }

            copy.ReplaceFileConsistently("tokenizer_config.json", Encoding.UTF8.GetBytes(root.ToJsonString()));
        }

        if (a.TryGetProperty("fifo", out JsonElement fifo))
        {
            string name = fifo.GetString()!;
            if (name != "manifest.json")
            {
                // Record the FIFO's size (0) and the empty file's hash, so only the file's type is wrong.
                copy.EditManifest(m =>
                {
                    m["file_sizes"]![name] = 0;
                    m["sha256"]![name] = System.Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Array.Empty<byte>()));
                });
            }

            File.Delete(copy.PathOf(name));
            using var mkfifo = System.Diagnostics.Process.Start("mkfifo", copy.PathOf(name))!;
            await mkfifo.WaitForExitAsync();
        }

        if (a.TryGetProperty("external", out JsonElement external))
        {
            // Append an initializer whose bytes live in an external file the manifest does not list. Appending a
            // ModelProto.graph field merges it into the graph (protobuf concatenation), so the graph stays well formed.
            string other = external.GetString()!;
            File.WriteAllBytes(copy.PathOf(other), new byte[16]);
            byte[] graph = [.. File.ReadAllBytes(copy.PathOf("model.onnx")), .. ExternalInitializer(other)];
            copy.ReplaceFileConsistently("model.onnx", graph);
        }

        ModelPackage package = ModelPackage.Load(copy.Directory);
        if (a.TryGetProperty("stage", out JsonElement stage) && stage.GetString() == "denoiser")
        {
            using var denoiser = OnnxDenoiser.Create(package, Cpu);
            return "denoiser created";
        }

        return "loaded";
    }

    /// <summary>ModelProto.graph { initializer { dims: 4, data_type: FLOAT, name, external_data { location }, data_location: EXTERNAL } }.</summary>
    private static byte[] ExternalInitializer(string location)
    {
        static byte[] Field(int number, byte[] payload) => [(byte)((number << 3) | 2), .. Varint(payload.Length), .. payload];
        static byte[] Varint(int value)
        {
            var bytes = new List<byte>();
            do
            {
                byte b = (byte)(value & 0x7F);
                value >>= 7;
                bytes.Add(value != 0 ? (byte)(b | 0x80) : b);
            }
            while (value != 0);
            return [.. bytes];
        }

        byte[] entry = [.. Field(1, Encoding.UTF8.GetBytes("location")), .. Field(2, Encoding.UTF8.GetBytes(location))];
        byte[] tensor = [0x08, 0x04, 0x10, 0x01, .. Field(8, Encoding.UTF8.GetBytes("unlisted_weight")), .. Field(13, entry), 0x70, 0x01];
        return Field(7, Field(5, tensor));
    }

    /// <summary>A value computed from the manifest itself: <c>@eos</c>, <c>@mask</c>, <c>@kvx2</c> (twice the KV heads) and so on.</summary>
    private static JsonNode Derived(JsonObject root, string name)
    {
        int Get(string key) => root[key]!.GetValue<int>();
        return name switch
        {
            "@eos" => root["token_ids"]!["eos"]!.GetValue<int>(),
            "@mask" => root["token_ids"]!["mask"]!.GetValue<int>(),
            "@bos" => root["token_ids"]!["bos"]!.GetValue<int>(),
            "@kvx2" => Get("num_kv_heads") * 2,
            "@hdx2" => Get("head_dim") * 2,
            "@vplus" => Get("vocab_size") + 1,
            "@lplus" => Get("num_layers") + 1,
            "@not" => !root["logits_positions"]!.GetValue<bool>(),
            _ => throw new InvalidOperationException($"Unknown derived value {name}."),
        };
    }

    private static async Task<string> DenoiseAsync(JsonElement a, TinyPackages packages)
    {
        var denoiser = OnnxDenoiser.Create(packages.Llada, Cpu);
        int v = denoiser.VocabularySize, c = denoiser.MaxSequenceLength;
        string call = a.TryGetProperty("call", out JsonElement callElement) ? callElement.GetString()! : "denoise";
        try
        {
            if (a.TryGetProperty("disposed", out JsonElement disposed) && disposed.GetBoolean())
            {
                denoiser.Dispose();
            }

            int batch = a.TryGetProperty("batch", out JsonElement b) ? Int(b, v, c) : 1;
            int length = a.TryGetProperty("length", out JsonElement len) ? Int(len, v, c) : 3;
            long[] ids = a.TryGetProperty("ids", out JsonElement idsElement)
                ? [.. idsElement.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String && e.GetString() == "long.MaxValue" ? long.MaxValue : Int(e, v, c))]
                : new long[Math.Max(0, batch) * Math.Max(0, Math.Min(length, 4096))];
            if (call == "denoise")
            {
                using DenoiserOutput output = await denoiser.DenoiseAsync(new DenoiserInput(ids, batch, length));
                return "ran";
            }

            int maskLength = a.TryGetProperty("mask", out JsonElement m) ? Int(m, v, c) : ids.Length;
            long[] positions = a.TryGetProperty("positions", out JsonElement pos) ? new long[Int(pos, v, c)] : new long[ids.Length];
            using CachedRunResult run = denoiser.RunWithCache(ids, batch, length, positions, new long[maskLength], null);
            return "ran";
        }
        finally
        {
            denoiser.Dispose();
        }
    }
}
