using SkDiffusion.Packaging;
using SkDiffusion.Remote.Protocol;

namespace SkDiffusion.Remote.Internal;

/// <summary>What the served model takes and returns, read from its metadata and checked against the local manifest.</summary>
internal sealed class ModelSignature
{
    private ModelSignature(bool takesLogitsPositions, IReadOnlyList<(string Name, string Datatype)> pastInputs)
    {
        TakesLogitsPositions = takesLogitsPositions;
        PastInputs = pastInputs;
    }

    /// <summary>Whether the model has a <c>logits_positions</c> input (else every position's logits come back).</summary>
    public bool TakesLogitsPositions { get; }

    /// <summary>The graph's <c>past_key_values.*</c> inputs (a Triton-served cache graph), fed empty on every step.</summary>
    public IReadOnlyList<(string Name, string Datatype)> PastInputs { get; }

    /// <summary>Checks the metadata against the manifest.</summary>
    /// <exception cref="RemoteShapeMismatchException">An input or the logits output is missing or differs.</exception>
    public static ModelSignature Read(ModelMetadataResponse metadata, ModelManifest manifest, string server)
    {
        void Fail(string problem) => throw new RemoteShapeMismatchException($"The model served by {server} does not match the local manifest of '{manifest.Name}': {problem}. Serve the same package (see docs/remote.md).");

        var inputs = metadata.Inputs.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (string name in new[] { "input_ids", "position_ids", "attention_mask" })
        {
            if (!inputs.TryGetValue(name, out var tensor))
            {
                Fail($"it has no input '{name}' (inputs: {string.Join(", ", inputs.Keys)})");
            }
            else if (tensor.Datatype != "INT64" || (tensor.Shape.Count != 2 && tensor.Shape.Count != 1))
            {
                Fail($"input '{name}' is {tensor.Datatype} [{string.Join(", ", tensor.Shape)}], expected INT64 [batch, sequence]");
            }
        }

        var logits = metadata.Outputs.FirstOrDefault(t => t.Name == TensorWire.Logits);
        if (logits is null)
        {
            Fail($"it has no output '{TensorWire.Logits}' (outputs: {string.Join(", ", metadata.Outputs.Select(o => o.Name))})");
        }
        else if (logits.Datatype != "FP32")
        {
            Fail($"output '{TensorWire.Logits}' is {logits.Datatype}, expected FP32");
        }
        else if (logits.Shape.Count > 0 && logits.Shape[^1] > 0 && logits.Shape[^1] != manifest.VocabSize)
        {
            Fail($"output '{TensorWire.Logits}' has {logits.Shape[^1]} columns, but the manifest's vocab_size is {manifest.VocabSize}");
        }

        var past = metadata.Inputs.Where(t => t.Name.StartsWith("past_key_values.", StringComparison.Ordinal)).Select(t => (t.Name, t.Datatype)).ToList();
        if (past.Count != 0 && past.Count != 2 * manifest.NumLayers)
        {
            Fail($"it has {past.Count} past key/value inputs, the manifest's {manifest.NumLayers} layers need {2 * manifest.NumLayers}");
        }

        bool positions = inputs.ContainsKey("logits_positions");
        if (!positions && manifest.LogitsShifted)
        {
            Fail("its graph returns shifted (Dream) logits for every position, which this client realigns only through 'logits_positions'; build the package without --all-logits");
        }

        return new ModelSignature(positions, past);
    }
}
