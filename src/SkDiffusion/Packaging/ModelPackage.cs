using System.Security.Cryptography;
using System.Text.Json;
using SkDiffusion.Chat;
using SkDiffusion.Tokenization;

namespace SkDiffusion.Packaging;

/// <summary>
/// A loaded and validated model package: its manifest, tokenizer and chat format. The ONNX graph itself is opened by
/// <see cref="Denoising.OnnxDenoiser"/>, which also checks that the graph agrees with the manifest.
/// </summary>
public sealed class ModelPackage
{
    /// <summary>The manifest file name inside a package folder.</summary>
    public const string ManifestFileName = "manifest.json";

    private ModelPackage(string directory, ModelManifest manifest, DiffusionTokenizer tokenizer, ChatFormat chatFormat)
    {
        Directory = directory;
        Manifest = manifest;
        Tokenizer = tokenizer;
        ChatFormat = chatFormat;
    }

    /// <summary>The package folder (full path).</summary>
    public string Directory { get; }

    /// <summary>The validated manifest.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The tokenizer built from the package's vocabulary, merges and special tokens.</summary>
    public DiffusionTokenizer Tokenizer { get; }

    /// <summary>The chat format named by the manifest.</summary>
    public ChatFormat ChatFormat { get; }

    /// <summary>The full path of the ONNX graph.</summary>
    public string ModelPath => Path.Combine(Directory, Manifest.Files.Model);

    /// <summary>Loads and validates the package in <paramref name="directory"/>.</summary>
    /// <param name="directory">The package folder.</param>
    /// <param name="options">Validation options.</param>
    /// <exception cref="ModelPackageException">A file is missing, truncated, corrupt, inconsistent or unreadable; the message names it.</exception>
    public static ModelPackage Load(string directory, ModelPackageOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        options ??= new ModelPackageOptions();
        string root = Path.GetFullPath(directory);
        if (File.Exists(root))
        {
            throw new ModelPackageException(root, $"this is a file, not a model package folder; pass the folder that holds {ManifestFileName}.");
        }

        if (!System.IO.Directory.Exists(root))
        {
            throw new ModelPackageException(root, "the model package folder does not exist. Build one with SkDiffusion.ModelBuilder.");
        }

        try
        {
            return LoadValidated(root, options);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A file that cannot be read (permissions, a device error, a file locked or removed mid-load).
            throw new ModelPackageException(root, $"a package file cannot be read ({ex.GetType().Name}: {ex.Message}). Check the folder's permissions and that no other process is replacing it.", ex);
        }
    }

    private static ModelPackage LoadValidated(string root, ModelPackageOptions options)
    {
        ModelManifest manifest = ReadManifest(root, options);
        ManifestValidator.Validate(manifest, Path.Combine(root, ManifestFileName));
        foreach (string name in ManifestValidator.FileNames(manifest))
        {
            CheckFile(root, name, manifest, options);
        }

        CheckExternalData(root, manifest);

        DiffusionTokenizer tokenizer = DiffusionTokenizer.Create(
            Path.Combine(root, manifest.Files.Vocab),
            Path.Combine(root, manifest.Files.Merges),
            Path.Combine(root, manifest.Files.TokenizerConfig),
            manifest);
        ChatFormat chatFormat;
        try
        {
            chatFormat = ChatFormat.Create(manifest, tokenizer);
        }
        catch (ModelPackageException ex) when (!Path.IsPathRooted(ex.FilePath))
        {
            // ChatFormat.Create knows file names only; report the full path like every other package error.
            throw new ModelPackageException(Path.Combine(root, ex.FilePath), ex.Problem, ex.InnerException);
        }

        return new ModelPackage(root, manifest, tokenizer, chatFormat);
    }

    /// <summary>Loads and validates a package on a worker thread.</summary>
    /// <param name="directory">The package folder.</param>
    /// <param name="options">Validation options.</param>
    /// <param name="cancellationToken">Cancels before the load starts.</param>
    public static Task<ModelPackage> LoadAsync(string directory, ModelPackageOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Load(directory, options), cancellationToken);

    private static ModelManifest ReadManifest(string root, ModelPackageOptions options)
    {
        string path = Path.Combine(root, ManifestFileName);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new ModelPackageException(path, "the manifest is missing; this folder is not a SkDiffusion model package. Build one with SkDiffusion.ModelBuilder.");
        }

        if (info.LinkTarget is not null)
        {
            throw new ModelPackageException(path, "the manifest is a link; packages must hold plain files.");
        }

        RegularFile.Require(path);

        if (info.Length > options.MaxManifestBytes)
        {
            throw new ModelPackageException(path, $"the manifest is {info.Length} bytes, over the {options.MaxManifestBytes}-byte limit.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException ex)
        {
            throw new ModelPackageException(path, $"the manifest is not valid JSON ({ex.Message}). Rebuild the package with SkDiffusion.ModelBuilder.", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind == JsonValueKind.Null)
            {
                throw new ModelPackageException(path, "the manifest is the JSON literal null.");
            }

            // Every key is required (docs/model-package.md): a missing logits_shifted or has_cache must not silently become false.
            ManifestValidator.CheckRequiredKeys(document.RootElement, path);
            try
            {
                ModelManifest? manifest = document.RootElement.Deserialize(PackageJsonContext.Default.ModelManifest);
                return manifest ?? throw new ModelPackageException(path, "the manifest is the JSON literal null.");
            }
            catch (JsonException ex)
            {
                throw new ModelPackageException(path, $"the manifest has a value of the wrong type ({ex.Message}). Rebuild the package with SkDiffusion.ModelBuilder.", ex);
            }
        }
    }

    /// <summary>
    /// Every external data file the graph references must be the one the manifest lists (<c>files.model_data</c>), which
    /// <see cref="CheckFile"/> has sized and hashed: ONNX Runtime would otherwise load unchecked bytes.
    /// </summary>
    private static void CheckExternalData(string root, ModelManifest manifest)
    {
        string modelPath = Path.Combine(root, manifest.Files.Model);
        foreach (string location in OnnxExternalData.Locations(modelPath))
        {
            if (location != manifest.Files.ModelData)
            {
                string listed = manifest.Files.ModelData is null ? "the manifest lists no model_data file" : $"the manifest lists only '{manifest.Files.ModelData}'";
                throw new ModelPackageException(modelPath, $"the graph reads external data from '{location}', but {listed}; every external data file must be listed in files.model_data, file_sizes and sha256. Rebuild the package with SkDiffusion.ModelBuilder.");
            }
        }
    }

    private static void CheckFile(string root, string name, ModelManifest manifest, ModelPackageOptions options)
    {
        string path = Path.Combine(root, name);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new ModelPackageException(path, "the file named by the manifest is missing. Copy the whole package folder or rebuild it.");
        }

        if (info.LinkTarget is not null)
        {
            throw new ModelPackageException(path, $"the file is a link (to '{info.LinkTarget}'); packages must hold plain files inside their folder.");
        }

        RegularFile.Require(path);

        if (!manifest.FileSizes.TryGetValue(name, out long expected))
        {
            throw new ModelPackageException(Path.Combine(root, ManifestFileName), $"file_sizes has no entry for '{name}'.");
        }

        if (info.Length != expected)
        {
            string what = info.Length < expected ? "truncated" : "larger than recorded";
            throw new ModelPackageException(path, $"the file is {what}: {info.Length} bytes, the manifest records {expected}. Copy it again or rebuild the package.");
        }

        bool tokenizerFile = name == manifest.Files.Vocab || name == manifest.Files.Merges || name == manifest.Files.TokenizerConfig;
        if (tokenizerFile && info.Length > options.MaxTokenizerFileBytes)
        {
            throw new ModelPackageException(path, $"the tokenizer file is {info.Length} bytes, over the {options.MaxTokenizerFileBytes}-byte limit (ModelPackageOptions.MaxTokenizerFileBytes); tokenizer files are read whole, so the package is refused before reading it.");
        }

        if (!options.VerifyChecksums || info.Length > options.ChecksumSizeLimitBytes)
        {
            return;
        }

        if (!manifest.Sha256.TryGetValue(name, out string? hash))
        {
            throw new ModelPackageException(Path.Combine(root, ManifestFileName), $"sha256 has no entry for '{name}'.");
        }

        string actual;
        using (FileStream stream = File.OpenRead(path))
        {
            actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        if (!string.Equals(actual, hash, StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelPackageException(path, $"the file is corrupt: its SHA-256 is {actual}, the manifest records {hash}. Copy it again or rebuild the package.");
        }
    }
}
