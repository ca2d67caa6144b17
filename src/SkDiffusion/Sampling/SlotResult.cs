namespace SkDiffusion.Sampling;

/// <summary>The decoded content of one template slot.</summary>
public sealed class SlotResult
{
    internal SlotResult(int index, string? name, int start, int length, IReadOnlyList<int> tokens)
    {
        Index = index;
        Name = name;
        Start = start;
        Length = length;
        Tokens = tokens;
    }

    /// <summary>The slot's index within its sequence.</summary>
    public int Index { get; }

    /// <summary>The slot's name, if it was given one.</summary>
    public string? Name { get; }

    /// <summary>The slot's first position within the sequence (padding excluded).</summary>
    public int Start { get; }

    /// <summary>The slot's declared length.</summary>
    public int Length { get; }

    /// <summary>
    /// The decoded tokens; for a variable-length slot only those before its first EOS, EoT or pad token.
    /// </summary>
    public IReadOnlyList<int> Tokens { get; }
}
