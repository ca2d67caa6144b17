using SkDiffusion.ModelBuilder.Checkpoints;
using DataType = Onnx.TensorProto.Types.DataType;

namespace SkDiffusion.ModelBuilder.Graph;

/// <summary>
/// Attention written with ONNX Runtime's fused <c>com.microsoft</c> kernels: <c>RotaryEmbedding</c> on the projected
/// queries and keys, then a non-causal <c>MultiHeadAttention</c>.
/// <para>
/// ONNX Runtime's CPU kernel takes its tiled flash path only when it gets no padding mask, no attention bias and no
/// past or present keys; otherwise it builds the <c>[B, heads, S, T]</c> probabilities per head. So each layer's
/// attention is an ONNX <c>If</c> on "no padding and no past" (the attention mask is all ones and the past is empty,
/// computed once for all layers): its then-branch calls the kernel with the new keys and values only, in the
/// <c>[B, T, heads * head_dim]</c> layout, and without the mask; its else-branch passes the mask as
/// <c>key_padding_mask</c> and, in a cache graph, the present keys and values in the <c>[B, heads, T, head_dim]</c>
/// layout. Both branches compute the same attention, so the outputs do not depend on the branch taken.
/// </para>
/// <para>
/// In a cache graph the present outputs are the past with the new keys and values appended (<c>Concat</c> outside the
/// <c>If</c>, in the <c>[B, kv_heads, T, head_dim]</c> layout). With grouped keys (fewer key/value heads than query
/// heads) the cache keeps the key/value heads and the attention input repeats them for each query head of the group.
/// </para>
/// </summary>
internal sealed class FusedAttentionWriter : AttentionWriter
{
    private const string Contrib = "com.microsoft";

    private readonly OnnxGraphBuilder _g;
    private readonly bool _cache;
    private readonly int _heads, _group;
    private readonly float _scale;
    private readonly DataType _type;
    private readonly string _mask, _unpadded, _cos, _sin, _shapeKv, _axes2, _expandGroup, _shapeGrouped, _axes3, _expandGroupFlat, _shapeMerged;

    /// <summary>Writes the shared nodes: the int32 key-padding mask, the branch condition, the rotary caches and the shape constants.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="config">The model's dimensions.</param>
    /// <param name="settings">The build settings (cache, float16 compute).</param>
    /// <param name="cosTable">The cosine table initializer <c>[context, head_dim / 2]</c>, float32.</param>
    /// <param name="sinTable">The sine table initializer <c>[context, head_dim / 2]</c>, float32.</param>
    public FusedAttentionWriter(OnnxGraphBuilder g, TransformerConfig config, GraphBuildSettings settings, string cosTable, string sinTable)
    {
        _g = g;
        _cache = settings.IncludeCache;
        _type = settings.HalfCompute ? DataType.Float16 : DataType.Float;
        int hkv = config.NumKvHeads, dh = config.HeadDim;
        _heads = config.NumHeads;
        _group = _heads / hkv;
        _scale = (float)(1.0 / Math.Sqrt(dh));

        // key_padding_mask [B,T]: 1 real, 0 padding (the kernel takes int32).
        _mask = g.Op("Cast", "key_padding_mask", ["attention_mask"], OnnxGraphBuilder.Attr("to", (long)DataType.Int32));
        _unpadded = WriteCondition(g, _cache);
        _cos = g.Cast(cosTable, DataType.Float, _type);
        _sin = g.Cast(sinTable, DataType.Float, _type);

        _shapeKv = _cache || _group > 1 ? g.Int64s("shape_kv", 0, 0, hkv, dh) : "";
        _axes2 = _cache && _group > 1 ? g.Int64s("axes_2", 2) : "";
        _expandGroup = _cache && _group > 1 ? g.Int64s("expand_group", 1, 1, _group, 1, 1) : "";
        _shapeGrouped = _cache && _group > 1 ? g.Int64s("shape_grouped", 0, _heads, -1, dh) : "";
        _axes3 = _group > 1 ? g.Int64s("axes_3", 3) : "";
        _expandGroupFlat = _group > 1 ? g.Int64s("expand_group_flat", 1, 1, 1, _group, 1) : "";
        _shapeMerged = _group > 1 ? g.Int64s("shape_merged", 0, 0, (long)_heads * dh) : "";
    }

    /// <inheritdoc />
    public override string Write(string query, string key, string value, int layer)
    {
        string p = $"layers.{layer}.";
        string q = Rotary(query, p + "q_rope");
        string k = Rotary(key, p + "k_rope");
        string keys = k, values = value;
        if (_cache)
        {
            keys = _g.OpTo("Concat", $"present.{layer}.key", [$"past_key_values.{layer}.key", Heads(k, p + "k")], OnnxGraphBuilder.Attr("axis", 2L));
            values = _g.OpTo("Concat", $"present.{layer}.value", [$"past_key_values.{layer}.value", Heads(value, p + "v")], OnnxGraphBuilder.Attr("axis", 2L));
        }

        // Then: the new keys only (the past is empty), no mask: the flash path. Else: the mask, and the present keys when cached.
        return _g.If(p + "attention", _unpadded, _type,
            () => Attend(p + "attention_unpadded", q, RepeatFlat(k, p + "k"), RepeatFlat(value, p + "v"), masked: false),
            () => _cache
                ? Attend(p + "attention_masked", q, Repeat(keys, p + "k"), Repeat(values, p + "v"), masked: true)
                : Attend(p + "attention_masked", q, RepeatFlat(keys, p + "k"), RepeatFlat(values, p + "v"), masked: true));
    }

    /// <summary>The bool condition "no padding (and, in a cache graph, no past)", computed once for all layers.</summary>
    private static string WriteCondition(OnnxGraphBuilder g, bool cache)
    {
        // Reduced in float32, which every provider's ReduceMin takes.
        string maskFloat = g.Op("Cast", "mask_float", ["attention_mask"], OnnxGraphBuilder.Attr("to", (long)DataType.Float));
        string minimum = g.Op("ReduceMin", "mask_min", [maskFloat], OnnxGraphBuilder.Attr("keepdims", 0L));
        string unpadded = g.Op("Equal", "mask_all_ones", [minimum, g.Scalar("one", 1f)]);
        if (!cache)
        {
            return unpadded;
        }

        // The past length is dimension 2 of any past input; every layer's past has the same length.
        string pastLength = g.Op("Shape", "past_length", ["past_key_values.0.key"], OnnxGraphBuilder.Attr("start", 2L), OnnxGraphBuilder.Attr("end", 3L));
        string noPast = g.Op("Equal", "past_empty", [pastLength, g.Int64s("zero_int64", 0)]);
        return g.Op("And", "unpadded_without_past", [unpadded, noPast]);
    }

    private string Attend(string name, string query, string keys, string values, bool masked)
    {
        string output = _g.Fresh(name);
        var attributes = new[] { OnnxGraphBuilder.Attr("num_heads", (long)_heads), OnnxGraphBuilder.Attr("scale", _scale), OnnxGraphBuilder.Attr("unidirectional", 0L) };
        _g.OpMulti("MultiHeadAttention", [output], masked ? [query, keys, values, "", _mask] : [query, keys, values], Contrib, attributes);
        return output;
    }

    private string Rotary(string x, string name)
    {
        string y = _g.Fresh(name);
        _g.OpMulti("RotaryEmbedding", [y], [x, "position_ids", _cos, _sin], Contrib, OnnxGraphBuilder.Attr("interleaved", 0L));
        return y;
    }

    /// <summary><c>[B, T, kv_heads * head_dim]</c> to <c>[B, kv_heads, T, head_dim]</c>.</summary>
    private string Heads(string x, string name) =>
        _g.Op("Transpose", name + "_heads", [_g.Op("Reshape", name + "_split", [x, _shapeKv])], OnnxGraphBuilder.Attr("perm", new long[] { 0, 2, 1, 3 }));

    /// <summary><c>[B, kv_heads, T, head_dim]</c> to <c>[B, heads, T, head_dim]</c>: each key/value head once per query head of its group.</summary>
    private string Repeat(string x, string name) =>
        _group == 1
            ? x
            : _g.Op("Reshape", name + "_repeated", [_g.Op("Expand", name + "_expanded", [_g.Op("Unsqueeze", name + "_grouped", [x, _axes2]), _expandGroup]), _shapeGrouped]);

    /// <summary><c>[B, T, kv_heads * head_dim]</c> to <c>[B, T, heads * head_dim]</c>, grouped as <see cref="Repeat"/> does.</summary>
    private string RepeatFlat(string x, string name) =>
        _group == 1
            ? x
            : _g.Op("Reshape", name + "_repeated_flat", [_g.Op("Expand", name + "_expanded_flat", [_g.Op("Unsqueeze", name + "_grouped_flat", [_g.Op("Reshape", name + "_split_flat", [x, _shapeKv]), _axes3]), _expandGroupFlat]), _shapeMerged]);
}
