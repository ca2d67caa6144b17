using SkDiffusion.ModelBuilder.Checkpoints;
using DataType = Onnx.TensorProto.Types.DataType;

namespace SkDiffusion.ModelBuilder.Graph;

/// <summary>
/// Attention written with plain ONNX ops: rotate-half rotary with gathered <c>[context, head_dim]</c> tables,
/// <c>MatMul</c> → additive padding bias → <c>Softmax</c> → <c>MatMul</c>, which materialises the <c>[B, heads, S, T]</c> scores.
/// </summary>
internal sealed class PlainAttentionWriter : AttentionWriter
{
    private readonly OnnxGraphBuilder _g;
    private readonly bool _cache;
    private readonly int _group;
    private readonly string _maskBias, _cos, _sin, _shapeQ, _shapeKv, _shapeMerge, _splitHalves, _axes2, _expandGroup, _shapeGrouped, _scale;

    /// <summary>Writes the shared nodes: the padding bias, the gathered rotary rows and the shape constants.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="config">The model's dimensions.</param>
    /// <param name="settings">The build settings (cache, float16 compute).</param>
    /// <param name="cosTable">The cosine table initializer <c>[context, head_dim]</c>, float32.</param>
    /// <param name="signedSinTable">The signed sine table initializer <c>[context, head_dim]</c>, float32 (see <see cref="RotaryTables"/>).</param>
    public PlainAttentionWriter(OnnxGraphBuilder g, TransformerConfig config, GraphBuildSettings settings, string cosTable, string signedSinTable)
    {
        _g = g;
        _cache = settings.IncludeCache;
        var t = settings.HalfCompute ? DataType.Float16 : DataType.Float;
        int h = config.NumHeads, hkv = config.NumKvHeads, dh = config.HeadDim;
        _group = h / hkv;

        // Key-padding bias [B,1,1,T]: 0 for real tokens, -1e9 for padding (the float16 minimum when computing in float16).
        string maskFloat = g.Op("Cast", "mask_float", ["attention_mask"], OnnxGraphBuilder.Attr("to", (long)DataType.Float));
        string maskInverse = g.Op("Sub", "mask_inverse", [g.Scalar("one", 1f), maskFloat]);
        string maskBias2 = g.Op("Mul", "mask_bias_2d", [maskInverse, g.Scalar("mask_negative", settings.HalfCompute ? -65504f : -1e9f)]);
        _maskBias = g.Op("Unsqueeze", "mask_bias", [g.Cast(maskBias2, DataType.Float, t), g.Int64s("axes_1_2", 1, 2)]);

        // Rotary tables gathered by position: [B,1,S,Dh].
        string axes1 = g.Int64s("axes_1", 1);
        _cos = g.Op("Unsqueeze", "rope_cos", [g.Cast(g.Op("Gather", "rope_cos_rows", [cosTable, "position_ids"], OnnxGraphBuilder.Attr("axis", 0L)), DataType.Float, t), axes1]);
        _sin = g.Op("Unsqueeze", "rope_sin", [g.Cast(g.Op("Gather", "rope_sin_rows", [signedSinTable, "position_ids"], OnnxGraphBuilder.Attr("axis", 0L)), DataType.Float, t), axes1]);

        _shapeQ = g.Int64s("shape_q", 0, 0, h, dh);
        _shapeKv = g.Int64s("shape_kv", 0, 0, hkv, dh);
        _shapeMerge = g.Int64s("shape_merge", 0, 0, (long)h * dh);
        _splitHalves = g.Int64s("split_halves", dh / 2, dh / 2);
        _axes2 = _group > 1 ? g.Int64s("axes_2", 2) : "";
        _expandGroup = _group > 1 ? g.Int64s("expand_group", 1, 1, _group, 1, 1) : "";
        _shapeGrouped = _group > 1 ? g.Int64s("shape_grouped", 0, h, -1, dh) : "";
        _scale = g.Scalar("attention_scale", (float)(1.0 / Math.Sqrt(dh)), t);
    }

    /// <inheritdoc />
    public override string Write(string query, string key, string value, int layer)
    {
        string p = $"layers.{layer}.";
        string qh = Rope(Heads(query, _shapeQ, p + "q"), p + "q");
        string kh = Rope(Heads(key, _shapeKv, p + "k"), p + "k");
        string vh = Heads(value, _shapeKv, p + "v");

        string keys = kh, values = vh;
        if (_cache)
        {
            keys = _g.OpTo("Concat", $"present.{layer}.key", [$"past_key_values.{layer}.key", kh], OnnxGraphBuilder.Attr("axis", 2L));
            values = _g.OpTo("Concat", $"present.{layer}.value", [$"past_key_values.{layer}.value", vh], OnnxGraphBuilder.Attr("axis", 2L));
        }

        string keysT = _g.Op("Transpose", p + "k_t", [Repeat(keys, p + "k")], OnnxGraphBuilder.Attr("perm", new long[] { 0, 1, 3, 2 }));
        string scores = _g.Op("MatMul", p + "scores", [_g.Op("Mul", p + "q_scaled", [qh, _scale]), keysT]);
        string probs = _g.Op("Softmax", p + "probs", [_g.Op("Add", p + "scores_masked", [scores, _maskBias])], OnnxGraphBuilder.Attr("axis", -1L));
        string context = _g.Op("MatMul", p + "context", [probs, Repeat(values, p + "v")]);
        return _g.Op("Reshape", p + "context_merged", [
            _g.Op("Transpose", p + "context_t", [context], OnnxGraphBuilder.Attr("perm", new long[] { 0, 2, 1, 3 })), _shapeMerge]);
    }

    private string Rope(string x, string name)
    {
        string first = _g.Fresh(name + "_x1");
        string second = _g.Fresh(name + "_x2");
        _g.OpMulti("Split", [first, second], [x, _splitHalves], "", OnnxGraphBuilder.Attr("axis", -1L));
        string swapped = _g.Op("Concat", name + "_swapped", [second, first], OnnxGraphBuilder.Attr("axis", -1L));
        return _g.Op("Add", name + "_rope", [_g.Op("Mul", name + "_cos", [x, _cos]), _g.Op("Mul", name + "_sin", [swapped, _sin])]);
    }

    private string Heads(string x, string shape, string name) =>
        _g.Op("Transpose", name + "_heads", [_g.Op("Reshape", name + "_split", [x, shape])], OnnxGraphBuilder.Attr("perm", new long[] { 0, 2, 1, 3 }));

    private string Repeat(string x, string name) =>
        _group == 1
            ? x
            : _g.Op("Reshape", name + "_repeated", [_g.Op("Expand", name + "_expanded", [_g.Op("Unsqueeze", name + "_grouped", [x, _axes2]), _expandGroup]), _shapeGrouped]);
}
