namespace SkDiffusion.Extensions.AI;

/// <summary>How a JSON answer is decoded (the <c>json_mode</c> setting; snake_case on the wire: <c>grammar</c>, <c>template</c>, <c>auto</c>).</summary>
public enum JsonDecodingMode
{
    /// <summary>Under the schema's grammar on a free canvas: lengths float, the structure is guaranteed.</summary>
    Grammar,

    /// <summary>The schema as a template: keys and punctuation at fixed positions, typed slots of fixed budgets.</summary>
    Template,

    /// <summary>An unconstrained answer first, kept when it is valid JSON of the schema; otherwise the grammar.</summary>
    Auto,
}
