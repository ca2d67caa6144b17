namespace SkDiffusion.ModelBuilder.Checkpoints;

/// <summary>The checkpoint layouts the builder converts.</summary>
internal enum ModelArchitecture
{
    /// <summary>LLaDA (<c>model_type</c> "llada").</summary>
    Llada,

    /// <summary>Dream (<c>model_type</c> "Dream"; Qwen2 weight names).</summary>
    Dream,
}
