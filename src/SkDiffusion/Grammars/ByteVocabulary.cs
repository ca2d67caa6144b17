using System.Runtime.CompilerServices;
using SkDiffusion.Packaging;
using SkDiffusion.Tokenization;

namespace SkDiffusion.Grammars;

/// <summary>
/// The vocabulary as a grammar sees it: every token id's exact byte string (byte-level BPE tokens may hold part of a
/// UTF-8 character), <see langword="null"/> for special tokens, plus the end tokens that pad a constrained region.
/// Immutable and thread-safe; <see cref="TokenGrammar"/> caches its automata per instance, so build it once per
/// tokenizer (<see cref="FromPackage"/> does so per package).
/// </summary>
public sealed class ByteVocabulary
{
    private static readonly ConditionalWeakTable<ModelPackage, ByteVocabulary> PackageCache = new();
    private static readonly int[] UnicodeToByte = BuildByteDecoder();

    private readonly byte[]?[] _bytes;

    private ByteVocabulary(byte[]?[] bytes, int eosId, int? eotId)
    {
        _bytes = bytes;
        EosId = eosId;
        EotId = eotId;
    }

    /// <summary>The number of token ids.</summary>
    public int Size => _bytes.Length;

    /// <summary>The end-of-sequence id: pads the region after the word.</summary>
    public int EosId { get; }

    /// <summary>The end-of-turn id, or <see langword="null"/>: may close the word before the EOS padding.</summary>
    public int? EotId { get; }

    /// <summary>Creates a vocabulary from explicit byte strings.</summary>
    /// <param name="tokenBytes">Per token id its bytes; <see langword="null"/> or empty for special tokens that never spell text.</param>
    /// <param name="eosId">The end-of-sequence id (must have no bytes).</param>
    /// <param name="eotId">The end-of-turn id, if the model has one (must have no bytes).</param>
    /// <exception cref="ArgumentException">An end id is out of range or spells bytes.</exception>
    public static ByteVocabulary Create(IReadOnlyList<byte[]?> tokenBytes, int eosId, int? eotId = null)
    {
        ArgumentNullException.ThrowIfNull(tokenBytes);
        var bytes = new byte[]?[tokenBytes.Count];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = tokenBytes[i] is { Length: > 0 } b ? (byte[])b.Clone() : null;
        }

        foreach (var (name, id) in new (string, int?)[] { ("eosId", eosId), ("eotId", eotId) })
        {
            if (id is int v && ((uint)v >= (uint)bytes.Length || bytes[v] is not null))
            {
                throw new ArgumentException($"{name} {v} must be a token id below {bytes.Length} without bytes (a special token).", name);
            }
        }

        return new ByteVocabulary(bytes, eosId, eotId);
    }

    /// <summary>Reads every token's bytes from a byte-level BPE tokenizer (the GPT-2 byte-to-character mapping).</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="vocabularySize">The model's vocabulary size (ids at or above the tokenizer's are padding, without bytes).</param>
    public static ByteVocabulary FromTokenizer(DiffusionTokenizer tokenizer, int vocabularySize)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 1);
        var bytes = new byte[]?[vocabularySize];
        foreach (var (text, id) in tokenizer.InnerTokenizer.Vocabulary)
        {
            if ((uint)id < (uint)vocabularySize && !tokenizer.IsSpecial(id))
            {
                bytes[id] = Decode(text);
            }
        }

        return new ByteVocabulary(bytes, tokenizer.EosId, tokenizer.EotId == tokenizer.EosId ? null : tokenizer.EotId);
    }

    /// <summary>The vocabulary of a loaded model package, built once per package instance.</summary>
    /// <param name="package">The package.</param>
    public static ByteVocabulary FromPackage(ModelPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        return PackageCache.GetValue(package, p => FromTokenizer(p.Tokenizer, p.Manifest.VocabSize));
    }

    /// <summary>A token's bytes; empty for special tokens and ids without text.</summary>
    /// <param name="tokenId">The id.</param>
    public ReadOnlySpan<byte> GetBytes(int tokenId) => (uint)tokenId < (uint)_bytes.Length ? _bytes[tokenId] : default;

    /// <summary>Whether <paramref name="tokenId"/> is an end token (EOS, or EoT when <paramref name="allowEndOfTurn"/>).</summary>
    internal bool IsEnd(int tokenId, bool allowEndOfTurn) => tokenId == EosId || (allowEndOfTurn && EotId == tokenId);

    internal byte[]? RawBytes(int tokenId) => _bytes[tokenId];

    private static byte[]? Decode(string text)
    {
        var result = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            int c = text[i];
            int b = c < UnicodeToByte.Length ? UnicodeToByte[c] : -1;
            if (b < 0)
            {
                return null; // not a byte-level token (e.g. an added token): never spells text
            }

            result[i] = (byte)b;
        }

        return result.Length == 0 ? null : result;
    }

    /// <summary>The inverse of GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to 256 + n.</summary>
    private static int[] BuildByteDecoder()
    {
        var map = new int[512];
        Array.Fill(map, -1);
        int n = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[printable ? b : 256 + n++] = b;
        }

        return map;
    }
}
