namespace SkDiffusion.ModelBuilder.Graph;

/// <summary>How the transformer graph is built.</summary>
/// <param name="Half">Store weights as float16 (the graph casts them to float32).</param>
/// <param name="IncludeCache">Add past/present key-value inputs and outputs.</param>
/// <param name="ContextLength">Rows of the rotary tables: the largest past plus current length.</param>
internal sealed record GraphBuildSettings(bool Half, bool IncludeCache, int ContextLength);
