namespace SkDiffusion.ModelBuilder;

/// <summary>The phase of a package build that a <see cref="BuildProgress"/> report belongs to.</summary>
public enum BuildStage
{
    /// <summary>Reading and validating config.json and the safetensors headers.</summary>
    ReadingCheckpoint,

    /// <summary>Converting the tokenizer files.</summary>
    ConvertingTokenizer,

    /// <summary>Writing weights tensor by tensor.</summary>
    WritingWeights,

    /// <summary>Writing the ONNX graph.</summary>
    WritingGraph,

    /// <summary>Hashing files and writing manifest.json.</summary>
    WritingManifest,

    /// <summary>The package is complete and in place.</summary>
    Done,

    /// <summary>Something in the checkpoint was dropped or approximated; <see cref="BuildProgress.Message"/> says what.</summary>
    Warning,
}
