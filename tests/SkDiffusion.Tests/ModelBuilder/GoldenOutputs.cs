using System.Text.Json;

namespace SkDiffusion.Tests.ModelBuilder;

/// <summary>A fixture's golden.json: inputs and the reference PyTorch logits.</summary>
internal sealed class GoldenOutputs
{
    /// <summary>Batch size.</summary>
    public int Batch { get; private init; }

    /// <summary>Sequence length.</summary>
    public int Sequence { get; private init; }

    /// <summary>Vocabulary size (last logits axis).</summary>
    public int Vocab { get; private init; }

    /// <summary>Input ids, row-major [B,S].</summary>
    public long[] InputIds { get; private init; } = [];

    /// <summary>Position ids, row-major [B,S].</summary>
    public long[] PositionIds { get; private init; } = [];

    /// <summary>Attention mask, row-major [B,S].</summary>
    public long[] AttentionMask { get; private init; } = [];

    /// <summary>Reference logits, row-major [B,S,V].</summary>
    public float[] Logits { get; private init; } = [];

    /// <summary>The number of leading positions to hold in the cache for the split test.</summary>
    public int CacheSplit { get; private init; }

    /// <summary>Loads golden.json from a fixture folder.</summary>
    public static GoldenOutputs Load(string fixture)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(fixture, "golden.json")));
        var root = document.RootElement;
        var ids = root.GetProperty("input_ids");
        int batch = ids.GetArrayLength();
        int sequence = ids[0].GetArrayLength();
        var logits = root.GetProperty("logits");
        int vocab = logits[0][0].GetArrayLength();
        return new GoldenOutputs
        {
            Batch = batch,
            Sequence = sequence,
            Vocab = vocab,
            InputIds = Flatten(ids).Select(e => e.GetInt64()).ToArray(),
            PositionIds = Flatten(root.GetProperty("position_ids")).Select(e => e.GetInt64()).ToArray(),
            AttentionMask = Flatten(root.GetProperty("attention_mask")).Select(e => e.GetInt64()).ToArray(),
            Logits = Flatten(logits).Select(e => e.GetSingle()).ToArray(),
            CacheSplit = root.GetProperty("cache_split").GetInt32(),
        };
    }

    private static IEnumerable<JsonElement> Flatten(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().SelectMany(Flatten) : [element];
}
