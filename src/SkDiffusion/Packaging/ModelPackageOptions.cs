namespace SkDiffusion.Packaging;

/// <summary>Options for <see cref="ModelPackage.Load"/>.</summary>
public sealed class ModelPackageOptions
{
    /// <summary>Whether to check each file's SHA-256 against the manifest (corruption). Default <see langword="true"/>.</summary>
    public bool VerifyChecksums { get; set; } = true;

    /// <summary>
    /// Files larger than this are checked by size only, since hashing many gigabytes slows every start.
    /// Default 512 MiB; set <see cref="long.MaxValue"/> to hash everything.
    /// </summary>
    public long ChecksumSizeLimitBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>The largest manifest file accepted, in bytes (a guard against hostile packages). Default 1 MiB.</summary>
    public long MaxManifestBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// The largest tokenizer file (vocabulary, merges, tokenizer config) accepted, in bytes. These files are read
    /// whole into memory, so a hostile package that records a huge file consistently is refused before the read.
    /// Default 64 MiB (real 150k-token vocabularies are a few MiB).
    /// </summary>
    public long MaxTokenizerFileBytes { get; set; } = 64L * 1024 * 1024;
}
