namespace SkDiffusion.ModelBuilder.Checkpoints;

/// <summary>Maps each transformer weight to its checkpoint tensor name and expected shape for one architecture.</summary>
internal sealed class CheckpointLayout
{
    private readonly TransformerConfig _config;

    /// <summary>Creates the layout of <paramref name="config"/>.</summary>
    public CheckpointLayout(TransformerConfig config) => _config = config;

    /// <summary>The checkpoint tensor name of a weight; <paramref name="layer"/> is ignored for global weights.</summary>
    public string Name(WeightKind kind, int layer = -1)
    {
        bool llada = _config.Architecture == ModelArchitecture.Llada;
        string l = llada ? $"model.transformer.blocks.{layer}." : $"model.layers.{layer}.";
        return (kind, llada) switch
        {
            (WeightKind.Embedding, true) => "model.transformer.wte.weight",
            (WeightKind.Embedding, false) => "model.embed_tokens.weight",
            (WeightKind.FinalNorm, true) => "model.transformer.ln_f.weight",
            (WeightKind.FinalNorm, false) => "model.norm.weight",
            (WeightKind.Head, true) => _config.TieWordEmbeddings ? "model.transformer.wte.weight" : "model.transformer.ff_out.weight",
            (WeightKind.Head, false) => _config.TieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight",
            (WeightKind.AttentionNorm, true) => l + "attn_norm.weight",
            (WeightKind.AttentionNorm, false) => l + "input_layernorm.weight",
            (WeightKind.FeedForwardNorm, true) => l + "ff_norm.weight",
            (WeightKind.FeedForwardNorm, false) => l + "post_attention_layernorm.weight",
            (WeightKind.QueryWeight, true) => l + "q_proj.weight",
            (WeightKind.KeyWeight, true) => l + "k_proj.weight",
            (WeightKind.ValueWeight, true) => l + "v_proj.weight",
            (WeightKind.QueryBias, true) => l + "q_proj.bias",
            (WeightKind.KeyBias, true) => l + "k_proj.bias",
            (WeightKind.ValueBias, true) => l + "v_proj.bias",
            (WeightKind.OutputWeight, true) => l + "attn_out.weight",
            (WeightKind.GateWeight, true) => l + "ff_proj.weight",
            (WeightKind.UpWeight, true) => l + "up_proj.weight",
            (WeightKind.DownWeight, true) => l + "ff_out.weight",
            (WeightKind.QueryWeight, false) => l + "self_attn.q_proj.weight",
            (WeightKind.KeyWeight, false) => l + "self_attn.k_proj.weight",
            (WeightKind.ValueWeight, false) => l + "self_attn.v_proj.weight",
            (WeightKind.QueryBias, false) => l + "self_attn.q_proj.bias",
            (WeightKind.KeyBias, false) => l + "self_attn.k_proj.bias",
            (WeightKind.ValueBias, false) => l + "self_attn.v_proj.bias",
            (WeightKind.OutputWeight, false) => l + "self_attn.o_proj.weight",
            (WeightKind.GateWeight, false) => l + "mlp.gate_proj.weight",
            (WeightKind.UpWeight, false) => l + "mlp.up_proj.weight",
            (WeightKind.DownWeight, false) => l + "mlp.down_proj.weight",
            _ => throw new InvalidOperationException($"{kind} has no tensor in a {_config.Architecture} checkpoint."),
        };
    }

    /// <summary>The shape the checkpoint must give a weight, as stored (PyTorch Linear: <c>[out, in]</c>).</summary>
    public long[] Shape(WeightKind kind)
    {
        long d = _config.HiddenSize, v = _config.VocabSize, i = _config.IntermediateSize;
        long q = (long)_config.NumHeads * _config.HeadDim, kv = (long)_config.NumKvHeads * _config.HeadDim;
        return kind switch
        {
            WeightKind.Embedding or WeightKind.Head => [v, d],
            WeightKind.AttentionNorm or WeightKind.FeedForwardNorm or WeightKind.FinalNorm => [d],
            WeightKind.QueryWeight => [q, d],
            WeightKind.KeyWeight or WeightKind.ValueWeight => [kv, d],
            WeightKind.QueryBias => [q],
            WeightKind.KeyBias or WeightKind.ValueBias => [kv],
            WeightKind.OutputWeight => [d, q],
            WeightKind.GateWeight or WeightKind.UpWeight => [i, d],
            WeightKind.DownWeight => [d, i],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    /// <summary>The weights of one block, in the order the graph uses them.</summary>
    public IEnumerable<WeightKind> LayerWeights()
    {
        yield return WeightKind.AttentionNorm;
        yield return WeightKind.QueryWeight;
        if (_config.QkvBias)
        {
            yield return WeightKind.QueryBias;
        }

        yield return WeightKind.KeyWeight;
        if (_config.QkvBias)
        {
            yield return WeightKind.KeyBias;
        }

        yield return WeightKind.ValueWeight;
        if (_config.QkvBias)
        {
            yield return WeightKind.ValueBias;
        }

        yield return WeightKind.OutputWeight;
        yield return WeightKind.FeedForwardNorm;
        yield return WeightKind.GateWeight;
        yield return WeightKind.UpWeight;
        yield return WeightKind.DownWeight;
    }

    /// <summary>Every (kind, layer) pair the graph needs, in order; layer is -1 for global weights.</summary>
    public IEnumerable<(WeightKind Kind, int Layer)> AllWeights()
    {
        yield return (WeightKind.Embedding, -1);
        for (int layer = 0; layer < _config.NumLayers; layer++)
        {
            foreach (var kind in LayerWeights())
            {
                yield return (kind, layer);
            }
        }

        yield return (WeightKind.FinalNorm, -1);
        yield return (WeightKind.Head, -1);
    }
}
