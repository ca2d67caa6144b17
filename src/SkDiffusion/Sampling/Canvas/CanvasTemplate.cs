namespace SkDiffusion.Sampling.Canvas;

/// <summary>
/// An answer layout: a sequence of fixed tokens and masked slots, e.g. <c>{"name": "</c> + slot(8) + <c>", "age": </c>
/// + slot(3, digits only) + <c>}</c>. Fixed tokens never change; each slot is decoded by the sampler.
/// </summary>
public sealed class CanvasTemplate
{
    private readonly List<(int[]? Tokens, int SlotLength, CanvasSlotOptions? Options)> _parts = [];

    /// <summary>The number of positions the template spans.</summary>
    public int Length { get; private set; }

    /// <summary>The number of masked slots.</summary>
    public int SlotCount { get; private set; }

    internal IReadOnlyList<(int[]? Tokens, int SlotLength, CanvasSlotOptions? Options)> Parts => _parts;

    /// <summary>Appends fixed tokens.</summary>
    /// <param name="tokens">Token ids (non-negative).</param>
    /// <returns>This template.</returns>
    public CanvasTemplate AddTokens(IEnumerable<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        int[] array = [.. tokens];
        foreach (int t in array)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(t, nameof(tokens));
        }

        CheckGrowth(array.Length, nameof(tokens));
        if (array.Length > 0)
        {
            _parts.Add((array, 0, null));
            Length += array.Length;
        }

        return this;
    }

    /// <summary>Appends a masked slot.</summary>
    /// <param name="length">Masked positions in the slot (at least 1).</param>
    /// <param name="options">Optional constraints; <see langword="null"/> means a fixed-length unconstrained slot.</param>
    /// <returns>This template.</returns>
    public CanvasTemplate AddSlot(int length, CanvasSlotOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        CheckGrowth(length, nameof(length));
        if (options?.AllowedTokens is { Count: 0 })
        {
            throw new ArgumentException("AllowedTokens is empty: a slot needs at least one allowed token (or leave AllowedTokens null).", nameof(options));
        }

        if (options?.AllowedTokens is { } allowed && allowed.Any(t => t < 0))
        {
            throw new ArgumentException("AllowedTokens holds a negative token id.", nameof(options));
        }

        if (options?.Grammar is { } grammar)
        {
            GrammarSlotRules.Check(grammar, length, options);
        }

        _parts.Add((null, length, options ?? new CanvasSlotOptions()));
        Length += length;
        SlotCount++;
        return this;
    }

    private void CheckGrowth(int added, string paramName)
    {
        if ((long)Length + added > DiffusionCanvas.MaxSequenceLength)
        {
            throw new ArgumentOutOfRangeException(paramName, added, $"The template would hold {(long)Length + added} positions, over DiffusionCanvas.MaxSequenceLength ({DiffusionCanvas.MaxSequenceLength}); no model has such a context. Shorten the answer.");
        }
    }
}
