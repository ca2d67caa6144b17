using SkDiffusion.ModelBuilder.Checkpoints;
using SkDiffusion.Packaging;

namespace SkDiffusion.ModelBuilder.Tokenizer;

/// <summary>
/// Finds the manifest's token ids: by content among the tokenizer's added tokens, overridden by config.json ids when present.
/// Dream's <c>bos</c> is always null (ChatML prompts start without one).
/// </summary>
internal static class SpecialTokenResolver
{
    /// <summary>LLaDA's mask token.</summary>
    public const string LladaMask = "<|mdm_mask|>";

    /// <summary>Dream's mask token.</summary>
    public const string DreamMask = "<|mask|>";

    /// <summary>Resolves the ids for <paramref name="config"/> from <paramref name="tokenizer"/>.</summary>
    /// <exception cref="ModelBuildException">The mask or end-of-sequence token cannot be found.</exception>
    public static ManifestTokenIds Resolve(TransformerConfig config, BpeTokenizerData tokenizer)
    {
        int? Find(string content) =>
            tokenizer.SpecialTokens.TryGetValue(content, out int id) ? id
            : tokenizer.Vocabulary.TryGetValue(content, out id) ? id
            : null;

        bool llada = config.Architecture == ModelArchitecture.Llada;
        string maskContent = llada ? LladaMask : DreamMask;
        int mask = config.MaskTokenId ?? Find(maskContent)
            ?? throw new ModelBuildException($"{tokenizer.SourceFile}: mask token '{maskContent}' not found among the tokenizer's tokens, and config.json has no mask_token_id.");
        int eos = config.EosTokenId ?? Find("<|endoftext|>")
            ?? throw new ModelBuildException($"{tokenizer.SourceFile}: end-of-sequence token '<|endoftext|>' not found, and config.json has no eos_token_id.");
        int eot = Find(llada ? "<|eot_id|>" : "<|im_end|>") ?? eos;
        // Dream's chat format starts without a BOS: its config's bos_token_id (= <|endoftext|>) is never prepended.
        int? bos = llada ? config.BosTokenId ?? Find("<|startoftext|>") : null;
        int pad = config.PadTokenId ?? eos;
        return new ManifestTokenIds { Mask = mask, Bos = bos, Eos = eos, Eot = eot, Pad = pad };
    }
}
