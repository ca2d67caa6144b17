namespace SkDiffusion.Templates.Holes;

/// <summary>What the count of a <see cref="HoleLength"/> measures.</summary>
public enum HoleUnit
{
    /// <summary>Words: runs of non-space characters (<c>[[MASK:2]]</c>, <c>[[MASK:&lt;=12]]</c>).</summary>
    Words,

    /// <summary>Characters of the filled text (<c>[[MASK:20c]]</c>, <c>[[MASK:&lt;=20c]]</c>).</summary>
    Characters,

    /// <summary>Tokens of the model's tokenizer, the advanced form (<c>[[MASK:8t]]</c>, <c>[[MASK:&lt;=8t]]</c>).</summary>
    Tokens,
}
