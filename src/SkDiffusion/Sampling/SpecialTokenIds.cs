using SkDiffusion.Packaging;

namespace SkDiffusion.Sampling;

/// <summary>
/// The special token ids the sampler needs: the mask token that marks undecided positions, the end-of-sequence and
/// end-of-turn tokens that end an answer, and the padding token used for left padding in a batch.
/// </summary>
public sealed class SpecialTokenIds
{
    /// <summary>Creates a set of special token ids.</summary>
    /// <param name="mask">The mask token id (LLaDA 126336, Dream 151666).</param>
    /// <param name="eos">The end-of-sequence token id (answers are padded with it).</param>
    /// <param name="eot">The end-of-turn token id, or <see langword="null"/> when the model has none.</param>
    /// <param name="pad">The padding token id; defaults to <paramref name="eos"/>.</param>
    public SpecialTokenIds(int mask, int eos, int? eot = null, int? pad = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(mask);
        ArgumentOutOfRangeException.ThrowIfNegative(eos);
        if (eot is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(eot), eot, "The end-of-turn id must not be negative.");
        }

        if (pad is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(pad), pad, "The padding id must not be negative.");
        }

        if (mask == eos || mask == eot || mask == pad)
        {
            throw new ArgumentException($"The mask id {mask} must differ from the EOS, EoT and pad ids.", nameof(mask));
        }

        Mask = mask;
        Eos = eos;
        Eot = eot;
        Pad = pad ?? eos;
    }

    /// <summary>The mask token id.</summary>
    public int Mask { get; }

    /// <summary>The end-of-sequence token id.</summary>
    public int Eos { get; }

    /// <summary>The end-of-turn token id, or <see langword="null"/>.</summary>
    public int? Eot { get; }

    /// <summary>The padding token id.</summary>
    public int Pad { get; }

    /// <summary>LLaDA-8B-Instruct: mask 126336, EOS/pad 126081, EoT 126348.</summary>
    public static SpecialTokenIds LLaDA { get; } = new(126336, 126081, 126348, 126081);

    /// <summary>Dream-v0-Instruct-7B: mask 151666, EOS/pad 151643, <c>&lt;|im_end|&gt;</c> 151645.</summary>
    public static SpecialTokenIds Dream { get; } = new(151666, 151643, 151645, 151643);

    /// <summary>Reads the ids from a model manifest.</summary>
    /// <param name="ids">The manifest's <c>token_ids</c> object.</param>
    public static SpecialTokenIds FromManifest(ManifestTokenIds ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return new SpecialTokenIds(ids.Mask, ids.Eos, ids.Eot, ids.Pad);
    }

    /// <summary>Whether <paramref name="tokenId"/> ends an answer (EOS or EoT).</summary>
    /// <param name="tokenId">A token id.</param>
    public bool IsEnd(long tokenId) => tokenId == Eos || (Eot is int eot && tokenId == eot);

    /// <summary>Whether <paramref name="tokenId"/> ends an answer or pads it (EOS, EoT or pad).</summary>
    /// <param name="tokenId">A token id.</param>
    public bool IsEndOrPad(long tokenId) => IsEnd(tokenId) || tokenId == Pad;
}
