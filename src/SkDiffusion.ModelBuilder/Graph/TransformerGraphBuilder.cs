using Onnx;
using SkDiffusion.ModelBuilder.Checkpoints;
using DataType = Onnx.TensorProto.Types.DataType;

namespace SkDiffusion.ModelBuilder.Graph;

/// <summary>
/// Builds the LLaDA / Dream ONNX graph of docs/model-package.md with plain ONNX ops (plus the ORT
/// <c>SimplifiedLayerNormalization</c> RMSNorm), streaming each weight from the checkpoint into a <see cref="WeightDataWriter"/>.
/// </summary>
internal sealed unsafe class TransformerGraphBuilder
{
    /// <summary>The ONNX opset of the default domain.</summary>
    public const int Opset = 17;

    private readonly TransformerConfig _config;
    private readonly CheckpointLayout _layout;
    private readonly SafetensorsCheckpoint _checkpoint;
    private readonly WeightDataWriter _writer;
    private readonly GraphBuildSettings _settings;
    private readonly Action<int, string>? _onTensorWritten;
    private readonly CancellationToken _cancellation;
    private readonly OnnxGraphBuilder _g = new();
    private int _tensorIndex;

    /// <summary>Prepares a build; nothing is written until <see cref="Build"/>.</summary>
    public TransformerGraphBuilder(
        TransformerConfig config,
        SafetensorsCheckpoint checkpoint,
        WeightDataWriter writer,
        GraphBuildSettings settings,
        Action<int, string>? onTensorWritten,
        CancellationToken cancellation)
    {
        _config = config;
        _layout = new CheckpointLayout(config);
        _checkpoint = checkpoint;
        _writer = writer;
        _settings = settings;
        _onTensorWritten = onTensorWritten;
        _cancellation = cancellation;
    }

    /// <summary>The number of tensors the build writes (checkpoint weights plus the two rotary tables).</summary>
    public int TensorCount => _layout.AllWeights().Count() + 2;

    /// <summary>The number of weight bytes the build writes, without alignment padding.</summary>
    public long TotalBytes =>
        _layout.AllWeights().Sum(w => StoredBytes(w.Kind)) + (2L * _settings.ContextLength * _config.HeadDim * sizeof(float));

    private static bool IsMatrix(WeightKind kind) => kind is WeightKind.QueryWeight or WeightKind.KeyWeight or WeightKind.ValueWeight
        or WeightKind.OutputWeight or WeightKind.GateWeight or WeightKind.UpWeight or WeightKind.DownWeight or WeightKind.Head;

    private long StoredBytes(WeightKind kind)
    {
        long[] shape = _layout.Shape(kind);
        long elements = shape.Aggregate(1L, (a, b) => a * b);
        if (kind == WeightKind.Embedding)
        {
            return elements * TensorConverter.FloatSize(_settings.HalfEmbedding);
        }

        if (!IsMatrix(kind))
        {
            return elements * TensorConverter.FloatSize(_settings.HalfSmallWeights);
        }

        if (!_settings.Int4Matrices)
        {
            return elements * TensorConverter.FloatSize(_settings.HalfMatrices);
        }

        long n = shape[0], blocks = Int4Quantizer.BlockCount(shape[1]);
        return (n * blocks * (Int4Quantizer.BlobSize + sizeof(float))) + (n * Int4Quantizer.ZeroPointBytes(shape[1]));
    }

    /// <summary>Checks that every tensor the graph needs is in the checkpoint with the expected shape.</summary>
    /// <exception cref="ModelBuildException">A tensor is missing or has the wrong shape.</exception>
    public void ValidateWeights()
    {
        foreach (var (kind, layer) in _layout.AllWeights())
        {
            _checkpoint.GetTensor(_layout.Name(kind, layer), _layout.Shape(kind));
        }
    }

    /// <summary>Builds the graph, writing all weights.</summary>
    public ModelProto Build()
    {
        var c = _config;
        var t = _settings.HalfCompute ? DataType.Float16 : DataType.Float;
        int h = c.NumHeads, hkv = c.NumKvHeads, dh = c.HeadDim, group = h / hkv;
        bool cache = _settings.IncludeCache;
        string total = cache ? "total_sequence" : "sequence";

        _g.AddInput("input_ids", DataType.Int64, "batch", "sequence");
        _g.AddInput("position_ids", DataType.Int64, "batch", "sequence");
        _g.AddInput("attention_mask", DataType.Int64, "batch", total);
        if (cache)
        {
            for (int i = 0; i < c.NumLayers; i++)
            {
                _g.AddInput($"past_key_values.{i}.key", t, "batch", hkv, "past_sequence", dh);
                _g.AddInput($"past_key_values.{i}.value", t, "batch", hkv, "past_sequence", dh);
            }
        }

        if (_settings.LogitsPositions)
        {
            _g.AddInput("logits_positions", DataType.Int64, "batch", "outputs");
        }

        _g.AddOutput("logits", DataType.Float, "batch", _settings.LogitsPositions ? "outputs" : "sequence", c.VocabSize);
        if (cache)
        {
            for (int i = 0; i < c.NumLayers; i++)
            {
                _g.AddOutput($"present.{i}.key", t, "batch", hkv, total, dh);
                _g.AddOutput($"present.{i}.value", t, "batch", hkv, total, dh);
            }
        }

        // Embedding lookup (gather first, then cast: the table itself is never widened).
        string embedding = WriteWeight(WeightKind.Embedding, -1, transpose: false, _settings.HalfEmbedding);
        string x = _g.Op("Gather", "embedded", [embedding, "input_ids"], OnnxGraphBuilder.Attr("axis", 0L));
        if (_settings.HalfEmbedding && _settings.CastHalfWeights)
        {
            x = Cast(x);
        }

        if (c.InputEmbeddingScale)
        {
            x = _g.Op("Mul", "embedded_scaled", [x, _g.Scalar("embedding_scale", MathF.Sqrt(c.HiddenSize), t)]);
        }

        // Key-padding bias [B,1,1,T]: 0 for real tokens, -1e9 for padding (the float16 minimum when computing in float16).
        string maskFloat = _g.Op("Cast", "mask_float", ["attention_mask"], OnnxGraphBuilder.Attr("to", (long)DataType.Float));
        string maskInverse = _g.Op("Sub", "mask_inverse", [_g.Scalar("one", 1f), maskFloat]);
        string maskBias2 = _g.Op("Mul", "mask_bias_2d", [maskInverse, _g.Scalar("mask_negative", _settings.HalfCompute ? -65504f : -1e9f)]);
        string maskBias = _g.Op("Unsqueeze", "mask_bias", [CastTo(maskBias2, DataType.Float, t), _g.Int64s("axes_1_2", 1, 2)]);

        // Rotary tables gathered by position: [B,1,S,Dh].
        var (cosTable, sinTable) = WriteRotaryTables();
        string axes1 = _g.Int64s("axes_1", 1);
        string cos = _g.Op("Unsqueeze", "rope_cos", [CastTo(_g.Op("Gather", "rope_cos_rows", [cosTable, "position_ids"], OnnxGraphBuilder.Attr("axis", 0L)), DataType.Float, t), axes1]);
        string sin = _g.Op("Unsqueeze", "rope_sin", [CastTo(_g.Op("Gather", "rope_sin_rows", [sinTable, "position_ids"], OnnxGraphBuilder.Attr("axis", 0L)), DataType.Float, t), axes1]);

        string shapeQ = _g.Int64s("shape_q", 0, 0, h, dh);
        string shapeKv = _g.Int64s("shape_kv", 0, 0, hkv, dh);
        string shapeMerge = _g.Int64s("shape_merge", 0, 0, (long)h * dh);
        string splitHalves = _g.Int64s("split_halves", dh / 2, dh / 2);
        string axes2 = group > 1 ? _g.Int64s("axes_2", 2) : "";
        string expandGroup = group > 1 ? _g.Int64s("expand_group", 1, 1, group, 1, 1) : "";
        string shapeGrouped = group > 1 ? _g.Int64s("shape_grouped", 0, h, -1, dh) : "";
        string scale = _g.Scalar("attention_scale", (float)(1.0 / Math.Sqrt(dh)), t);

        string Rope(string t, string name)
        {
            string first = _g.Fresh(name + "_x1");
            string second = _g.Fresh(name + "_x2");
            _g.OpMulti("Split", [first, second], [t, splitHalves], "", OnnxGraphBuilder.Attr("axis", -1L));
            string swapped = _g.Op("Concat", name + "_swapped", [second, first], OnnxGraphBuilder.Attr("axis", -1L));
            return _g.Op("Add", name + "_rope", [_g.Op("Mul", name + "_cos", [t, cos]), _g.Op("Mul", name + "_sin", [swapped, sin])]);
        }

        string Heads(string t, string shape, string name) =>
            _g.Op("Transpose", name + "_heads", [_g.Op("Reshape", name + "_split", [t, shape])], OnnxGraphBuilder.Attr("perm", new long[] { 0, 2, 1, 3 }));

        string Repeat(string t, string name) =>
            group == 1
                ? t
                : _g.Op("Reshape", name + "_repeated", [_g.Op("Expand", name + "_expanded", [_g.Op("Unsqueeze", name + "_grouped", [t, axes2]), expandGroup]), shapeGrouped]);

        for (int layer = 0; layer < c.NumLayers; layer++)
        {
            _cancellation.ThrowIfCancellationRequested();
            string p = $"layers.{layer}.";
            string n = Norm(x, WeightKind.AttentionNorm, layer, p + "attn_norm");

            string q = Linear(n, WeightKind.QueryWeight, layer, p + "q", c.QkvBias ? WeightKind.QueryBias : null);
            string k = Linear(n, WeightKind.KeyWeight, layer, p + "k", c.QkvBias ? WeightKind.KeyBias : null);
            string v = Linear(n, WeightKind.ValueWeight, layer, p + "v", c.QkvBias ? WeightKind.ValueBias : null);

            string qh = Rope(Heads(q, shapeQ, p + "q"), p + "q");
            string kh = Rope(Heads(k, shapeKv, p + "k"), p + "k");
            string vh = Heads(v, shapeKv, p + "v");

            string keys = kh, values = vh;
            if (cache)
            {
                keys = _g.OpTo("Concat", $"present.{layer}.key", [$"past_key_values.{layer}.key", kh], OnnxGraphBuilder.Attr("axis", 2L));
                values = _g.OpTo("Concat", $"present.{layer}.value", [$"past_key_values.{layer}.value", vh], OnnxGraphBuilder.Attr("axis", 2L));
            }

            string keysT = _g.Op("Transpose", p + "k_t", [Repeat(keys, p + "k")], OnnxGraphBuilder.Attr("perm", new long[] { 0, 1, 3, 2 }));
            string scores = _g.Op("MatMul", p + "scores", [_g.Op("Mul", p + "q_scaled", [qh, scale]), keysT]);
            string probs = _g.Op("Softmax", p + "probs", [_g.Op("Add", p + "scores_masked", [scores, maskBias])], OnnxGraphBuilder.Attr("axis", -1L));
            string context = _g.Op("MatMul", p + "context", [probs, Repeat(values, p + "v")]);
            string merged = _g.Op("Reshape", p + "context_merged", [
                _g.Op("Transpose", p + "context_t", [context], OnnxGraphBuilder.Attr("perm", new long[] { 0, 2, 1, 3 })), shapeMerge]);
            string attention = Linear(merged, WeightKind.OutputWeight, layer, p + "attn_out", null);
            x = _g.Op("Add", p + "attn_residual", [x, attention]);

            string f = Norm(x, WeightKind.FeedForwardNorm, layer, p + "ff_norm");
            string gate = Linear(f, WeightKind.GateWeight, layer, p + "gate", null);
            string up = Linear(f, WeightKind.UpWeight, layer, p + "up", null);
            string silu = _g.Op("Mul", p + "silu", [gate, _g.Op("Sigmoid", p + "gate_sigmoid", [gate])]);
            string down = Linear(_g.Op("Mul", p + "swiglu", [silu, up]), WeightKind.DownWeight, layer, p + "down", null);
            x = _g.Op("Add", p + "ff_residual", [x, down]);
        }

        if (_settings.LogitsPositions)
        {
            // Only the asked-for positions reach the final norm and the head: [B,S,D] -> [B,K,D].
            string index = _g.Op("Unsqueeze", "logits_index", ["logits_positions", _g.Int64s("axes_last", -1)]);
            x = _g.Op("GatherND", "selected_hidden", [x, index], OnnxGraphBuilder.Attr("batch_dims", 1L));
        }

        string final = Norm(x, WeightKind.FinalNorm, -1, "final_norm");
        string projected = CastTo(Linear(final, WeightKind.Head, -1, "head", null), t, DataType.Float);
        if (c.ScaleLogits)
        {
            _g.OpTo("Mul", "logits", [projected, _g.Scalar("logits_scale", (float)(1.0 / Math.Sqrt(c.HiddenSize)))]);
        }
        else
        {
            // The head's last node produced `projected`; give its output the contract name.
            var last = _g.Graph.Node[^1];
            if (last.Output[0] != projected)
            {
                throw new InvalidOperationException("The output head must be the graph's last node.");
            }

            last.Output[0] = "logits";
        }

        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "SkDiffusion.ModelBuilder",
            ProducerVersion = typeof(TransformerGraphBuilder).Assembly.GetName().Version?.ToString() ?? "1.0",
            Graph = _g.Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });
        return model;
    }

    private string Cast(string input) => CastTo(input, DataType.Float16, DataType.Float);

    /// <summary>Casts <paramref name="input"/> from <paramref name="from"/> to <paramref name="to"/>; no node when they are equal.</summary>
    private string CastTo(string input, DataType from, DataType to) =>
        from == to
            ? input
            : _g.Op("Cast", input + (to == DataType.Float16 ? "_f16" : "_f32"), [input], OnnxGraphBuilder.Attr("to", (long)to));

    private string Norm(string x, WeightKind kind, int layer, string name)
    {
        string weight = WriteWeight(kind, layer, transpose: false, _settings.HalfSmallWeights);
        if (_settings.HalfSmallWeights && _settings.CastHalfWeights)
        {
            weight = Cast(weight);
        }

        return _g.Op("SimplifiedLayerNormalization", name, [x, weight],
            OnnxGraphBuilder.Attr("axis", -1L), OnnxGraphBuilder.Attr("epsilon", (float)_config.RmsNormEps), OnnxGraphBuilder.Attr("stash_type", 1L));
    }

    private string Linear(string x, WeightKind kind, int layer, string name, WeightKind? bias)
    {
        string y;
        if (_settings.Int4Matrices)
        {
            var (packed, scales, zeroPoints, n, k) = WriteInt4Weight(kind, layer);
            y = _g.Fresh(name);
            _g.OpMulti("MatMulNBits", [y], [x, packed, scales, zeroPoints], "com.microsoft",
                OnnxGraphBuilder.Attr("K", k), OnnxGraphBuilder.Attr("N", n), OnnxGraphBuilder.Attr("bits", 4L),
                OnnxGraphBuilder.Attr("block_size", (long)Int4Quantizer.BlockSize));
        }
        else if (_settings.HalfMatrices && _settings.HalfCompute)
        {
            y = _g.Op("MatMul", name, [x, WriteWeight(kind, layer, transpose: true, half: true)]);
        }
        else if (_settings.HalfMatrices)
        {
            // ONNX Runtime constant-folds Cast(initializer) only up to a size limit; a larger matrix would be cast on
            // every run, so it is split along its output axis into parts that each fold, and the products concatenated.
            long[] shape = _layout.Shape(kind);
            long n = shape[0], floatBytes = shape[0] * shape[1] * sizeof(float);
            int parts = (int)Math.Max(1, (floatBytes + _settings.HalfMatrixSplitBytes - 1) / _settings.HalfMatrixSplitBytes);
            long perPart = (n + parts - 1) / parts;
            var products = new List<string>();
            for (long start = 0; start < n; start += perPart)
            {
                long count = Math.Min(perPart, n - start);
                bool last = start + count >= n;
                string weight = Cast(WriteWeight(kind, layer, transpose: true, half: true, parts > 1 ? (start, count) : null, reportProgress: last));
                products.Add(_g.Op("MatMul", name, [x, weight]));
            }

            y = products.Count == 1 ? products[0] : _g.Op("Concat", name + "_joined", products, OnnxGraphBuilder.Attr("axis", -1L));
        }
        else
        {
            y = _g.Op("MatMul", name, [x, WriteWeight(kind, layer, transpose: true, half: false)]);
        }

        if (bias is { } biasKind)
        {
            string b = WriteWeight(biasKind, layer, transpose: false, _settings.HalfSmallWeights);
            if (_settings.HalfSmallWeights && _settings.CastHalfWeights)
            {
                b = Cast(b);
            }

            y = _g.Op("Add", name + "_biased", [y, b]);
        }

        return y;
    }

    /// <summary>
    /// Writes one checkpoint tensor (or the rows <paramref name="rowRange"/> of a matrix), transposed to <c>[in, out]</c>
    /// when <paramref name="transpose"/> is set, and returns its initializer name.
    /// </summary>
    private string WriteWeight(WeightKind kind, int layer, bool transpose, bool half, (long Start, long Count)? rowRange = null, bool reportProgress = true)
    {
        _cancellation.ThrowIfCancellationRequested();
        string name = _layout.Name(kind, layer);
        var info = _checkpoint.GetTensor(name, _layout.Shape(kind));
        long rows = info.Shape.Length == 2 ? info.Shape[0] : 1;
        long cols = info.Shape[^1];
        long firstRow = rowRange?.Start ?? 0;
        rows = rowRange?.Count ?? rows;
        long[] dims = info.Shape.Length == 1 ? info.Shape : transpose ? [cols, rows] : [rows, cols];
        string initializer = (transpose ? name + ".transposed" : name) + (rowRange is { } r ? $".rows_{r.Start}_{r.Start + r.Count}" : "");

        _writer.BeginTensor();
        using (var view = info.File.OpenView(info))
        {
            byte* source = view.Pointer + (firstRow * cols * SafetensorsTensorInfo.ElementSize(info.DType));
            TensorConverter.Write(source, info.DType, rows, cols, transpose, half, _writer);
        }

        _g.AddInitializer(_writer.EndTensor(initializer, half ? DataType.Float16 : DataType.Float, dims));
        if (reportProgress)
        {
            _onTensorWritten?.Invoke(++_tensorIndex, name);
        }

        return initializer;
    }

    private (string Packed, string Scales, string ZeroPoints, long N, long K) WriteInt4Weight(WeightKind kind, int layer)
    {
        _cancellation.ThrowIfCancellationRequested();
        string name = _layout.Name(kind, layer);
        var info = _checkpoint.GetTensor(name, _layout.Shape(kind));
        long n = info.Shape[0], k = info.Shape[1];
        int blocks = Int4Quantizer.BlockCount(k), zeroBytes = Int4Quantizer.ZeroPointBytes(k);
        var scales = new float[checked((int)(n * blocks))];
        var zeroPoints = new byte[checked((int)(n * zeroBytes))];
        var row = new float[k];
        var blob = new byte[blocks * Int4Quantizer.BlobSize];
        int elementSize = SafetensorsTensorInfo.ElementSize(info.DType);

        _writer.BeginTensor();
        using (var view = info.File.OpenView(info))
        {
            for (long r = 0; r < n; r++)
            {
                TensorConverter.ToFloat(view.Pointer + (r * k * elementSize), info.DType, row);
                Int4Quantizer.QuantizeRow(row, blob, scales.AsSpan((int)(r * blocks), blocks), zeroPoints.AsSpan((int)(r * zeroBytes), zeroBytes));
                _writer.Write(blob);
            }
        }

        string packed = name + ".int4";
        _g.AddInitializer(_writer.EndTensor(packed, DataType.Uint8, [n, blocks, Int4Quantizer.BlobSize]));
        _writer.BeginTensor();
        TensorConverter.Emit(scales, half: false, _writer);
        _g.AddInitializer(_writer.EndTensor(name + ".scales", DataType.Float, [n * blocks]));
        _writer.BeginTensor();
        _writer.Write(zeroPoints);
        _g.AddInitializer(_writer.EndTensor(name + ".zero_points", DataType.Uint8, [n * zeroBytes]));
        _onTensorWritten?.Invoke(++_tensorIndex, name);
        return (packed, name + ".scales", name + ".zero_points", n, k);
    }

    private (string Cos, string Sin) WriteRotaryTables()
    {
        int context = _settings.ContextLength, dh = _config.HeadDim;
        var cosRow = new float[dh];
        var sinRow = new float[dh];
        long[] dims = [context, dh];

        _writer.BeginTensor();
        for (int position = 0; position < context; position++)
        {
            RotaryTables.FillRow(position, dh, _config.RopeTheta, cosRow, sinRow);
            TensorConverter.Emit(cosRow, half: false, _writer);
        }

        _g.AddInitializer(_writer.EndTensor("rope.cos", DataType.Float, dims));
        _onTensorWritten?.Invoke(++_tensorIndex, "rope.cos");

        _writer.BeginTensor();
        for (int position = 0; position < context; position++)
        {
            RotaryTables.FillRow(position, dh, _config.RopeTheta, cosRow, sinRow);
            TensorConverter.Emit(sinRow, half: false, _writer);
        }

        _g.AddInitializer(_writer.EndTensor("rope.sin_signed", DataType.Float, dims));
        _onTensorWritten?.Invoke(++_tensorIndex, "rope.sin_signed");
        return ("rope.cos", "rope.sin_signed");
    }
}
