using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Text.Json;

namespace SkDiffusion.ModelBuilder.Checkpoints;

/// <summary>
/// One safetensors file: its validated header, and memory-mapped access to one tensor at a time.
/// Nothing but the header is read up front.
/// </summary>
internal sealed class SafetensorsFile : IDisposable
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;
    private readonly Dictionary<string, SafetensorsTensorInfo> _tensors = new(StringComparer.Ordinal);
    private MemoryMappedFile? _map;

    private SafetensorsFile(string path, long length)
    {
        Path = path;
        Length = length;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>The file's length in bytes.</summary>
    public long Length { get; }

    /// <summary>The tensors the header declares, by name.</summary>
    public IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors => _tensors;

    /// <summary>Opens <paramref name="path"/> and validates its header: JSON, dtypes, shapes and offsets within the file.</summary>
    /// <exception cref="ModelBuildException">The file is missing, truncated or its header is malformed.</exception>
    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelBuildException($"{path}: safetensors file not found.");
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = stream.Length;
        if (length < 8)
        {
            throw new ModelBuildException($"{path}: truncated safetensors file ({length} bytes, shorter than the 8-byte header length).");
        }

        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength == 0 || headerLength > MaxHeaderBytes)
        {
            throw new ModelBuildException($"{path}: invalid safetensors header length {headerLength}.");
        }

        if ((long)headerLength > length - 8)
        {
            throw new ModelBuildException($"{path}: truncated safetensors file: the header claims {headerLength} bytes but only {length - 8} follow.");
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var file = new SafetensorsFile(path, length);
        file.ParseHeader(header, 8 + (long)headerLength);
        return file;
    }

    private void ParseHeader(byte[] header, long dataStart)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException ex)
        {
            throw new ModelBuildException($"{Path}: safetensors header is not valid JSON ({ex.Message}).", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ModelBuildException($"{Path}: safetensors header is not a JSON object.");
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    continue;
                }

                _tensors[property.Name] = ParseEntry(property.Name, property.Value, dataStart);
            }
        }
    }

    private SafetensorsTensorInfo ParseEntry(string name, JsonElement entry, long dataStart)
    {
        string Bad(string what) => $"{Path}: safetensors header entry '{name}' {what}.";
        if (entry.ValueKind != JsonValueKind.Object
            || !entry.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !entry.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !entry.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2)
        {
            throw new ModelBuildException(Bad("must have 'dtype', 'shape' and two 'data_offsets'"));
        }

        string dtypeText = dtypeElement.GetString()!;
        SafetensorsDType dtype = dtypeText switch
        {
            "F32" => SafetensorsDType.F32,
            "F16" => SafetensorsDType.F16,
            "BF16" => SafetensorsDType.BF16,
            _ => throw new ModelBuildException(Bad($"has dtype {dtypeText}; supported: F32, F16, BF16")),
        };

        var shape = new long[shapeElement.GetArrayLength()];
        int i = 0;
        long elements = 1;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long value) || value < 0)
            {
                throw new ModelBuildException(Bad("has a shape dimension that is not a non-negative integer"));
            }

            shape[i++] = value;
            elements = checked(elements * value);
        }

        long begin = offsetsElement[0].TryGetInt64(out long b) ? b : -1;
        long end = offsetsElement[1].TryGetInt64(out long e) ? e : -1;
        if (begin < 0 || end < begin)
        {
            throw new ModelBuildException(Bad($"has invalid data_offsets [{offsetsElement[0]}, {offsetsElement[1]}]"));
        }

        long expectedBytes = elements * SafetensorsTensorInfo.ElementSize(dtype);
        if (end - begin != expectedBytes)
        {
            throw new ModelBuildException(Bad($"spans {end - begin} bytes but shape {SafetensorsTensorInfo.FormatShape(shape)} of {dtypeText} needs {expectedBytes}"));
        }

        if (dataStart + end > Length)
        {
            throw new ModelBuildException($"{Path}: truncated safetensors file: tensor '{name}' ends at byte {dataStart + end} but the file has {Length} bytes.");
        }

        return new SafetensorsTensorInfo(name, dtype, shape, dataStart + begin, end - begin, this);
    }

    /// <summary>Maps the bytes of <paramref name="tensor"/> (which must belong to this file) for reading.</summary>
    public TensorDataView OpenView(SafetensorsTensorInfo tensor)
    {
        _map ??= MemoryMappedFile.CreateFromFile(
            new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read), null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        return new TensorDataView(_map, tensor.FileOffset, tensor.ByteLength);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _map?.Dispose();
        _map = null;
    }
}
