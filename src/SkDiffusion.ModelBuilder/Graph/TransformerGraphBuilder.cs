using Onnx;
using SkDiffusion.ModelBuilder.Checkpoints;
using DataType = Onnx.TensorProto.Types.DataType;

namespace SkDiffusion.ModelBuilder.Graph;

/// <summary>
/// Builds the LLaDA / Dream ONNX graph of docs/model-package.md, streaming each weight from the checkpoint into a
/// <see cref="WeightDataWriter"/>. Attention is written by a <see cref="FusedAttentionWriter"/> (ONNX Runtime's fused
/// kernels, the default) or a <see cref="PlainAttentionWriter"/> (plain ONNX ops); see <see cref="GraphBuildSettings.Fused"/>.
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
        _layout.AllWeights().Sum(w => StoredBytes(w.Kind)) + (2L * _settings.ContextLength * RotaryWidth * sizeof(float));

    /// <summary>The columns of each rotary table: the head dimension, or half of it for the fused kernel.</summary>
    private int RotaryWidth => _settings.Fused ? _config.HeadDim / 2 : _config.HeadDim;

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
        int hkv = c.NumKvHeads, dh = c.HeadDim;
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

        var (cosTable, sinTable) = WriteRotaryTables();
        AttentionWriter attention = _settings.Fused
            ? new FusedAttentionWriter(_g, c, _settings, cosTable, sinTable)
            : new PlainAttentionWriter(_g, c, _settings, cosTable, sinTable);

        // Each norm also adds the pending residual branch: one SkipSimplifiedLayerNormalization in the fused graph.
        string? branch = null;
        for (int layer = 0; layer < c.NumLayers; layer++)
        {
            _cancellation.ThrowIfCancellationRequested();
            string p = $"layers.{layer}.";
            string n = AddAndNorm(ref x, branch, WeightKind.AttentionNorm, layer, p + "attn");

            string q = Linear(n, WeightKind.QueryWeight, layer, p + "q", c.QkvBias ? WeightKind.QueryBias : null);
            string k = Linear(n, WeightKind.KeyWeight, layer, p + "k", c.QkvBias ? WeightKind.KeyBias : null);
            string v = Linear(n, WeightKind.ValueWeight, layer, p + "v", c.QkvBias ? WeightKind.ValueBias : null);
            string merged = attention.Write(q, k, v, layer);
            branch = Linear(merged, WeightKind.OutputWeight, layer, p + "attn_out", null);

            string f = AddAndNorm(ref x, branch, WeightKind.FeedForwardNorm, layer, p + "ff");
            string gate = Linear(f, WeightKind.GateWeight, layer, p + "gate", null);
            string up = Linear(f, WeightKind.UpWeight, layer, p + "up", null);
            string silu = _g.Op("Mul", p + "silu", [gate, _g.Op("Sigmoid", p + "gate_sigmoid", [gate])]);
            branch = Linear(_g.Op("Mul", p + "swiglu", [silu, up]), WeightKind.DownWeight, layer, p + "down", null);
        }

        string final;
        if (_settings.LogitsPositions)
        {
            // Only the asked-for positions reach the final norm and the head: [B,S,D] -> [B,K,D].
            x = branch is null ? x : _g.Op("Add", "final_residual", [x, branch]);
            string index = _g.Op("Unsqueeze", "logits_index", ["logits_positions", _g.Int64s("axes_last", -1)]);
            x = _g.Op("GatherND", "selected_hidden", [x, index], OnnxGraphBuilder.Attr("batch_dims", 1L));
            final = AddAndNorm(ref x, null, WeightKind.FinalNorm, -1, "final");
        }
        else
        {
            final = AddAndNorm(ref x, branch, WeightKind.FinalNorm, -1, "final");
        }

        string projected = _g.Cast(Linear(final, WeightKind.Head, -1, "head", null), t, DataType.Float);
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

    private string Cast(string input) => _g.Cast(input, DataType.Float16, DataType.Float);

    /// <summary>
    /// Adds <paramref name="branch"/> (when not null) to the residual stream <paramref name="x"/> and returns the RMS norm
    /// of the sum. The fused graph does both in one <c>SkipSimplifiedLayerNormalization</c>, which also returns the sum.
    /// </summary>
    private string AddAndNorm(ref string x, string? branch, WeightKind kind, int layer, string name)
    {
        string weight = WriteWeight(kind, layer, transpose: false, _settings.HalfSmallWeights);
        if (_settings.HalfSmallWeights && _settings.CastHalfWeights)
        {
            weight = Cast(weight);
        }

        var epsilon = OnnxGraphBuilder.Attr("epsilon", (float)_config.RmsNormEps);
        if (branch is not null && _settings.Fused)
        {
            string normed = _g.Fresh(name + "_norm");
            string sum = _g.Fresh(name + "_residual");
            _g.OpMulti("SkipSimplifiedLayerNormalization", [normed, "", "", sum], [x, branch, weight], "com.microsoft", epsilon);
            x = sum;
            return normed;
        }

        if (branch is not null)
        {
            x = _g.Op("Add", name + "_residual", [x, branch]);
        }

        return _g.Op("SimplifiedLayerNormalization", name + "_norm", [x, weight],
            OnnxGraphBuilder.Attr("axis", -1L), epsilon, OnnxGraphBuilder.Attr("stash_type", 1L));
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

    /// <summary>
    /// Writes the rotary tables. The plain graph takes <c>[context, head_dim]</c> cosines and signed sines; the fused
    /// <c>RotaryEmbedding</c> kernel takes the first half of each row, <c>[context, head_dim / 2]</c>, with the plain sine.
    /// </summary>
    private (string Cos, string Sin) WriteRotaryTables()
    {
        int context = _settings.ContextLength, dh = _config.HeadDim, width = RotaryWidth;
        var cosRow = new float[dh];
        var sinRow = new float[dh];
        long[] dims = [context, width];
        string sinName = _settings.Fused ? "rope.sin" : "rope.sin_signed";

        _writer.BeginTensor();
        for (int position = 0; position < context; position++)
        {
            RotaryTables.FillRow(position, dh, _config.RopeTheta, cosRow, sinRow);
            TensorConverter.Emit(cosRow.AsSpan(0, width), half: false, _writer);
        }

        _g.AddInitializer(_writer.EndTensor("rope.cos", DataType.Float, dims));
        _onTensorWritten?.Invoke(++_tensorIndex, "rope.cos");

        // The signed sine's second half is +sin: the fused table is that half.
        _writer.BeginTensor();
        for (int position = 0; position < context; position++)
        {
            RotaryTables.FillRow(position, dh, _config.RopeTheta, cosRow, sinRow);
            TensorConverter.Emit(_settings.Fused ? sinRow.AsSpan(dh - width, width) : sinRow, half: false, _writer);
        }

        _g.AddInitializer(_writer.EndTensor(sinName, DataType.Float, dims));
        _onTensorWritten?.Invoke(++_tensorIndex, sinName);
        return ("rope.cos", sinName);
    }
}
