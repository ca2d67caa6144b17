using SkDiffusion.ModelBuilder.Checkpoints;
using DataType = Onnx.TensorProto.Types.DataType;

namespace SkDiffusion.ModelBuilder.Graph;

/// <summary>
/// Attention written with ONNX Runtime's fused <c>com.microsoft</c> kernels: <c>RotaryEmbedding</c> on the projected
/// queries and keys, then a non-causal <c>MultiHeadAttention</c> with the padding mask as <c>key_padding_mask</c>.
/// Without grouped keys the kernel also appends the new keys and values to the past (its <c>past_key</c>/<c>past_value</c>
/// inputs give the graph's present outputs). With grouped keys (fewer key/value heads than query heads) the cache keeps
/// the key/value heads: the graph appends and repeats them and passes the repeated keys and values in the
/// <c>[B, heads, T, head_dim]</c> layout the kernel accepts.
/// </summary>
internal sealed class FusedAttentionWriter : AttentionWriter
{
    private const string Contrib = "com.microsoft";

    private readonly OnnxGraphBuilder _g;
    private readonly bool _cache;
    private readonly int _heads, _group;
    private readonly float _scale;
    private readonly string _mask, _cos, _sin, _shapeKv, _axes2, _expandGroup, _shapeGrouped;

    /// <summary>Writes the shared nodes: the int32 key-padding mask, the rotary caches and, with grouped keys, the shape constants.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="config">The model's dimensions.</param>
    /// <param name="settings">The build settings (cache, float16 compute).</param>
    /// <param name="cosTable">The cosine table initializer <c>[context, head_dim / 2]</c>, float32.</param>
    /// <param name="sinTable">The sine table initializer <c>[context, head_dim / 2]</c>, float32.</param>
    public FusedAttentionWriter(OnnxGraphBuilder g, TransformerConfig config, GraphBuildSettings settings, string cosTable, string sinTable)
    {
        _g = g;
        _cache = settings.IncludeCache;
        var t = settings.HalfCompute ? DataType.Float16 : DataType.Float;
        int hkv = config.NumKvHeads, dh = config.HeadDim;
        _heads = config.NumHeads;
        _group = _heads / hkv;
        _scale = (float)(1.0 / Math.Sqrt(dh));

        // key_padding_mask [B,T]: 1 real, 0 padding (the kernel takes int32).
        _mask = g.Op("Cast", "key_padding_mask", ["attention_mask"], OnnxGraphBuilder.Attr("to", (long)DataType.Int32));
        _cos = g.Cast(cosTable, DataType.Float, t);
        _sin = g.Cast(sinTable, DataType.Float, t);

        _shapeKv = _group > 1 ? g.Int64s("shape_kv", 0, 0, hkv, dh) : "";
        _axes2 = _group > 1 ? g.Int64s("axes_2", 2) : "";
        _expandGroup = _group > 1 ? g.Int64s("expand_group", 1, 1, _group, 1, 1) : "";
        _shapeGrouped = _group > 1 ? g.Int64s("shape_grouped", 0, _heads, -1, dh) : "";
    }

    /// <inheritdoc />
    public override string Write(string query, string key, string value, int layer)
    {
        string p = $"layers.{layer}.";
        string q = Rotary(query, p + "q_rope");
        string k = Rotary(key, p + "k_rope");
        string output = _g.Fresh(p + "attention");
        var attributes = new[] { OnnxGraphBuilder.Attr("num_heads", (long)_heads), OnnxGraphBuilder.Attr("scale", _scale), OnnxGraphBuilder.Attr("unidirectional", 0L) };

        if (_group == 1)
        {
            if (_cache)
            {
                _g.OpMulti("MultiHeadAttention", [output, $"present.{layer}.key", $"present.{layer}.value"],
                    [q, k, value, "", _mask, "", $"past_key_values.{layer}.key", $"past_key_values.{layer}.value"], Contrib, attributes);
            }
            else
            {
                _g.OpMulti("MultiHeadAttention", [output], [q, k, value, "", _mask], Contrib, attributes);
            }

            return output;
        }

        string keys = Heads(k, p + "k"), values = Heads(value, p + "v");
        if (_cache)
        {
            keys = _g.OpTo("Concat", $"present.{layer}.key", [$"past_key_values.{layer}.key", keys], OnnxGraphBuilder.Attr("axis", 2L));
            values = _g.OpTo("Concat", $"present.{layer}.value", [$"past_key_values.{layer}.value", values], OnnxGraphBuilder.Attr("axis", 2L));
        }

        _g.OpMulti("MultiHeadAttention", [output], [q, Repeat(keys, p + "k"), Repeat(values, p + "v"), "", _mask], Contrib, attributes);
        return output;
    }

    private string Rotary(string x, string name)
    {
        string y = _g.Fresh(name);
        _g.OpMulti("RotaryEmbedding", [y], [x, "position_ids", _cos, _sin], Contrib, OnnxGraphBuilder.Attr("interleaved", 0L));
        return y;
    }

    private string Heads(string x, string name) =>
        _g.Op("Transpose", name + "_heads", [_g.Op("Reshape", name + "_split", [x, _shapeKv])], OnnxGraphBuilder.Attr("perm", new long[] { 0, 2, 1, 3 }));

    private string Repeat(string x, string name) =>
        _g.Op("Reshape", name + "_repeated", [_g.Op("Expand", name + "_expanded", [_g.Op("Unsqueeze", name + "_grouped", [x, _axes2]), _expandGroup]), _shapeGrouped]);
}
