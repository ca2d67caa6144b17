using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using SkDiffusion.ModelBuilder.Checkpoints;
using SkDiffusion.ModelBuilder.Graph;
using SkDiffusion.ModelBuilder.Tokenizer;
using SkDiffusion.Packaging;

namespace SkDiffusion.ModelBuilder;

/// <summary>
/// Converts a Hugging Face LLaDA or Dream checkpoint folder into a SkDiffusion model package (docs/model-package.md).
/// Weights are streamed tensor by tensor; the package is assembled in a temporary folder next to the output and
/// moved into place only when complete.
/// </summary>
public static class PackageBuilder
{
    /// <summary>Weights above this many bytes go to <c>model.onnx.data</c>; smaller graphs embed them.</summary>
    public const long ExternalDataThreshold = 2L * 1024 * 1024;

    private static readonly JsonSerializerOptions ManifestWriting = new() { WriteIndented = true };

    private const string ModelFile = "model.onnx";
    private const string ModelDataFile = "model.onnx.data";
    private const string ManifestFile = "manifest.json";

    /// <summary>Builds the package described by <paramref name="options"/>.</summary>
    /// <param name="options">The checkpoint, output folder and conversion settings.</param>
    /// <param name="progress">Receives progress reports (synchronously, from the building thread), or null.</param>
    /// <param name="cancellationToken">Cancels the build; nothing is left in the output folder.</param>
    /// <returns>The manifest written to the package.</returns>
    /// <exception cref="ModelBuildException">The input is invalid: the message names the file and the problem.</exception>
    public static Task<ModelManifest> BuildAsync(PackageBuildOptions options, IProgress<BuildProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Task.Run(() => Build(options, progress, cancellationToken), cancellationToken);
    }

    private static ModelManifest Build(PackageBuildOptions options, IProgress<BuildProgress>? progress, CancellationToken ct)
    {
        string checkpointDirectory = ValidateCheckpointDirectory(options.CheckpointDirectory);
        string outputDirectory = ValidateOutputDirectory(options.OutputDirectory, options.Overwrite);
        if (IsSameOrInside(checkpointDirectory, outputDirectory))
        {
            throw new ModelBuildException($"{outputDirectory}: the output folder must not be the checkpoint folder or contain it.");
        }
        if (options.ComputeInFloat16 && options.Precision != ModelPrecision.Float16)
        {
            throw new ModelBuildException("float16 compute (--fp16-compute) needs float16 weights (--precision fp16).");
        }

        Report(progress, BuildStage.ReadingCheckpoint, $"Reading {checkpointDirectory}");
        var config = ConfigReader.Read(checkpointDirectory);
        int contextLength = options.ContextLength ?? config.MaxPositions;
        if (contextLength <= 0)
        {
            throw new ModelBuildException($"context length must be positive, got {contextLength}.");
        }

        using var checkpoint = SafetensorsCheckpoint.Open(checkpointDirectory);
        var tokenizer = TokenizerReader.Read(checkpointDirectory);
        var tokenIds = SpecialTokenResolver.Resolve(config, tokenizer);

        string parent = Path.GetDirectoryName(outputDirectory) ?? throw new ModelBuildException($"{outputDirectory}: cannot create a package at a file-system root.");
        Directory.CreateDirectory(parent);
        string temp = Path.Combine(parent, $".{Path.GetFileName(outputDirectory)}.partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            var manifest = new ModelManifest
            {
                Name = options.Name ?? ModelId(config.NameOrPath) ?? Path.GetFileName(checkpointDirectory),
                Architecture = config.Architecture == ModelArchitecture.Llada ? "llada" : "dream",
                VocabSize = config.VocabSize,
                HiddenSize = config.HiddenSize,
                NumLayers = config.NumLayers,
                NumHeads = config.NumHeads,
                NumKvHeads = config.NumKvHeads,
                HeadDim = config.HeadDim,
                IntermediateSize = config.IntermediateSize,
                ContextLength = contextLength,
                RopeTheta = config.RopeTheta,
                RmsNormEps = config.RmsNormEps,
                DType = options.Precision switch
                {
                    ModelPrecision.Float16 => "float16",
                    ModelPrecision.Int4 => "int4",
                    _ => "float32",
                },
                KvDType = options.ComputeInFloat16 ? "float16" : "float32",
                LogitsShifted = config.Architecture == ModelArchitecture.Dream,
                HasCache = options.IncludeCache,
                LogitsPositions = options.LogitsPositions,
                ChatFormat = config.Architecture == ModelArchitecture.Llada ? "llama3" : "chatml",
                DefaultSystemPrompt = config.Architecture == ModelArchitecture.Dream ? "You are a helpful assistant." : null,
                TokenIds = tokenIds,
            };

            Report(progress, BuildStage.ConvertingTokenizer, $"Converting tokenizer from {tokenizer.SourceFile}");
            foreach (var warning in tokenizer.Warnings)
            {
                Report(progress, BuildStage.Warning, warning);
            }

            var files = manifest.Files;
            TokenizerWriter.Write(tokenizer, temp, files.Vocab, files.Merges, files.TokenizerConfig);
            TokenizerVerifier.Verify(Path.Combine(temp, files.Vocab), Path.Combine(temp, files.Merges), Path.Combine(temp, files.TokenizerConfig), tokenizer.SpecialTokens);
            ct.ThrowIfCancellationRequested();

            string? dataSha = WriteModel(config, checkpoint, temp, new GraphBuildSettings(options.Precision, options.IncludeCache, contextLength) { HalfMatrixSplitBytes = options.HalfMatrixSplitBytes, HalfCompute = options.ComputeInFloat16, LogitsPositions = options.LogitsPositions, Fused = options.FusedGraph }, progress, ct, out bool external);
            files.ModelData = external ? ModelDataFile : null;

            Report(progress, BuildStage.WritingManifest, "Hashing files and writing manifest.json");
            foreach (var file in new[] { files.Model, files.ModelData, files.Vocab, files.Merges, files.TokenizerConfig })
            {
                if (file is null)
                {
                    continue;
                }

                string path = Path.Combine(temp, file);
                manifest.FileSizes[file] = new FileInfo(path).Length;
                manifest.Sha256[file] = file == files.ModelData && dataSha is not null ? dataSha : HashFile(path);
            }

            File.WriteAllText(Path.Combine(temp, ManifestFile), JsonSerializer.Serialize(manifest, ManifestWriting));
            ct.ThrowIfCancellationRequested();

            if (Directory.Exists(outputDirectory))
            {
                Directory.Delete(outputDirectory, recursive: true);
            }

            Directory.Move(temp, outputDirectory);
            Report(progress, BuildStage.Done, $"Wrote {outputDirectory}");
            return manifest;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static string? WriteModel(
        TransformerConfig config, SafetensorsCheckpoint checkpoint, string temp, GraphBuildSettings settings,
        IProgress<BuildProgress>? progress, CancellationToken ct, out bool external)
    {
        // Size the build first so the choice between embedded and external data is known before writing.
        var sizing = new TransformerGraphBuilder(config, checkpoint, new WeightDataWriter(null), settings, null, ct);
        sizing.ValidateWeights();
        long totalBytes = sizing.TotalBytes;
        int tensorCount = sizing.TensorCount;
        external = totalBytes > ExternalDataThreshold;

        using var writer = new WeightDataWriter(external ? Path.Combine(temp, ModelDataFile) : null);
        var builder = new TransformerGraphBuilder(config, checkpoint, writer, settings, (index, name) =>
            progress?.Report(new BuildProgress
            {
                Stage = BuildStage.WritingWeights,
                Message = $"tensor {index}/{tensorCount} {name}",
                TensorIndex = index,
                TensorCount = tensorCount,
                TensorName = name,
                BytesWritten = writer.BytesWritten,
                TotalBytes = totalBytes,
            }), ct);
        var model = builder.Build();
        string? sha = writer.Complete();

        Report(progress, BuildStage.WritingGraph, $"Writing {ModelFile}");
        long graphSize = model.CalculateSize();
        if (graphSize >= int.MaxValue)
        {
            throw new ModelBuildException($"the ONNX graph would be {graphSize} bytes, over the 2 GB protobuf limit.");
        }

        using (var stream = new FileStream(Path.Combine(temp, ModelFile), FileMode.CreateNew, FileAccess.Write))
        {
            model.WriteTo(stream);
        }

        return sha;
    }

    private static string ValidateCheckpointDirectory(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ModelBuildException("no checkpoint folder given.");
        }

        string full = Path.GetFullPath(path);
        if (!Directory.Exists(full))
        {
            throw new ModelBuildException($"{full}: checkpoint folder not found.");
        }

        return full.TrimEnd(Path.DirectorySeparatorChar);
    }

    private static string ValidateOutputDirectory(string path, bool overwrite)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ModelBuildException("no output folder given.");
        }

        string full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
        if (File.Exists(full))
        {
            throw new ModelBuildException($"{full}: output path is a file, not a folder.");
        }

        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !overwrite)
        {
            throw new ModelBuildException($"{full}: output folder is not empty (use --overwrite to replace it).");
        }

        return full;
    }

    /// <summary>A config <c>_name_or_path</c> usable as a model id: a hub id such as <c>org/model</c>, not a local path.</summary>
    private static string? ModelId(string? nameOrPath) =>
        string.IsNullOrWhiteSpace(nameOrPath) || Path.IsPathRooted(nameOrPath) || nameOrPath.StartsWith('.') || nameOrPath.Contains('\\')
            || nameOrPath.Count(ch => ch == '/') > 1
            ? null
            : nameOrPath;

    private static bool IsSameOrInside(string path, string folder)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return string.Equals(path, folder, comparison) || path.StartsWith(folder + Path.DirectorySeparatorChar, comparison);
    }

    private static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static void Report(IProgress<BuildProgress>? progress, BuildStage stage, string message) =>
        progress?.Report(new BuildProgress { Stage = stage, Message = message });

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a leftover hidden .partial folder is harmless and named clearly.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
