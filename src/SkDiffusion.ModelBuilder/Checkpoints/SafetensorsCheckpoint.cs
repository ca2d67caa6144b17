using System.Text.Json;

namespace SkDiffusion.ModelBuilder.Checkpoints;

/// <summary>
/// The weights of a checkpoint folder: a single <c>model.safetensors</c>, or
/// <c>model.safetensors.index.json</c> with its shards. Tensors are looked up by name and read one at a time.
/// </summary>
internal sealed class SafetensorsCheckpoint : IDisposable
{
    /// <summary>The single-file weights name.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>The shard index name.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly Dictionary<string, SafetensorsFile> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _weightMap = new(StringComparer.Ordinal);
    private readonly string _sourceDescription;

    private SafetensorsCheckpoint(string directory, string sourceDescription)
    {
        Directory = directory;
        _sourceDescription = sourceDescription;
    }

    /// <summary>The checkpoint folder.</summary>
    public string Directory { get; }

    /// <summary>Opens the weights of <paramref name="directory"/> and validates every safetensors header.</summary>
    /// <exception cref="ModelBuildException">No weights, a malformed index, or a malformed safetensors file.</exception>
    public static SafetensorsCheckpoint Open(string directory)
    {
        string single = Path.Combine(directory, SingleFileName);
        string index = Path.Combine(directory, IndexFileName);
        if (File.Exists(index))
        {
            var checkpoint = new SafetensorsCheckpoint(directory, index);
            try
            {
                checkpoint.LoadIndex(index);
            }
            catch
            {
                checkpoint.Dispose();
                throw;
            }

            return checkpoint;
        }

        if (File.Exists(single))
        {
            var checkpoint = new SafetensorsCheckpoint(directory, single);
            try
            {
                var file = SafetensorsFile.Open(single);
                checkpoint._files[SingleFileName] = file;
                foreach (var name in file.Tensors.Keys)
                {
                    checkpoint._weightMap[name] = SingleFileName;
                }
            }
            catch
            {
                checkpoint.Dispose();
                throw;
            }

            return checkpoint;
        }

        throw new ModelBuildException($"{directory}: no {SingleFileName} or {IndexFileName} found (only safetensors checkpoints are supported).");
    }

    private void LoadIndex(string indexPath)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            if (!document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            {
                throw new ModelBuildException($"{indexPath}: missing 'weight_map' object.");
            }

            foreach (var entry in map.EnumerateObject())
            {
                string? shard = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString() : null;
                if (string.IsNullOrEmpty(shard) || shard != Path.GetFileName(shard) || shard.Contains(".."))
                {
                    throw new ModelBuildException($"{indexPath}: weight_map entry '{entry.Name}' must name a shard file in the same folder.");
                }

                _weightMap[entry.Name] = shard;
            }
        }
        catch (JsonException ex)
        {
            throw new ModelBuildException($"{indexPath}: not valid JSON ({ex.Message}).", ex);
        }

        foreach (var shard in _weightMap.Values.Distinct(StringComparer.Ordinal))
        {
            _files[shard] = SafetensorsFile.Open(Path.Combine(Directory, shard));
        }

        foreach (var (name, shard) in _weightMap)
        {
            if (!_files[shard].Tensors.ContainsKey(name))
            {
                throw new ModelBuildException($"{Path.Combine(Directory, shard)}: missing tensor '{name}' (listed for this shard in {IndexFileName}).");
            }
        }
    }

    /// <summary>Whether the checkpoint holds a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => _weightMap.ContainsKey(name);

    /// <summary>Finds <paramref name="name"/> and checks that its shape equals <paramref name="expectedShape"/>.</summary>
    /// <exception cref="ModelBuildException">The tensor is missing or its shape differs.</exception>
    public SafetensorsTensorInfo GetTensor(string name, long[] expectedShape)
    {
        if (!_weightMap.TryGetValue(name, out var shard))
        {
            throw new ModelBuildException($"{_sourceDescription}: missing tensor '{name}'.");
        }

        var info = _files[shard].Tensors[name];
        if (!info.Shape.SequenceEqual(expectedShape))
        {
            throw new ModelBuildException(
                $"{info.File.Path}: tensor '{name}' has shape {info.ShapeText}, expected {SafetensorsTensorInfo.FormatShape(expectedShape)} from config.json.");
        }

        return info;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var file in _files.Values)
        {
            file.Dispose();
        }

        _files.Clear();
    }
}
