using System.Security.Cryptography;
using Google.Protobuf;
using Onnx;

namespace SkDiffusion.ModelBuilder.Graph;

/// <summary>
/// Receives weight bytes tensor by tensor. In external mode they are appended to the ONNX external-data file
/// (64-byte aligned, SHA-256 computed while writing); in embedded mode each tensor becomes raw data inside the graph.
/// </summary>
internal sealed class WeightDataWriter : IDisposable
{
    private const int Alignment = 64;
    private readonly FileStream? _file;
    private readonly IncrementalHash? _hash;
    private MemoryStream? _embedded;
    private long _tensorStart;
    private byte[]? _sha256;

    /// <summary>Creates an external-data writer to <paramref name="path"/>, or an embedding writer when <paramref name="path"/> is null.</summary>
    public WeightDataWriter(string? path)
    {
        if (path is not null)
        {
            _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
            _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            FileName = Path.GetFileName(path);
        }
    }

    /// <summary>Whether weights go to an external file.</summary>
    public bool IsExternal => _file is not null;

    /// <summary>The external-data file name (relative to the graph), or null when embedding.</summary>
    public string? FileName { get; }

    /// <summary>Bytes of weight data written so far (including alignment padding in external mode).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Starts a new tensor.</summary>
    public void BeginTensor()
    {
        if (_file is not null)
        {
            long padding = (Alignment - (BytesWritten % Alignment)) % Alignment;
            if (padding > 0)
            {
                Span<byte> zeros = stackalloc byte[Alignment];
                zeros.Clear();
                Append(zeros[..(int)padding]);
            }

            _tensorStart = BytesWritten;
        }
        else
        {
            _embedded = new MemoryStream();
            _tensorStart = BytesWritten;
        }
    }

    /// <summary>Appends bytes to the current tensor.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (_file is not null)
        {
            Append(data);
        }
        else
        {
            (_embedded ?? throw new InvalidOperationException("BeginTensor was not called.")).Write(data);
            BytesWritten += data.Length;
        }
    }

    /// <summary>Finishes the current tensor and returns its initializer.</summary>
    public TensorProto EndTensor(string name, TensorProto.Types.DataType type, long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type };
        tensor.Dims.AddRange(dims);
        long length = BytesWritten - _tensorStart;
        if (_file is not null)
        {
            tensor.DataLocation = TensorProto.Types.DataLocation.External;
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = FileName });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = _tensorStart.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        else
        {
            tensor.RawData = ByteString.CopyFrom(_embedded!.GetBuffer(), 0, (int)_embedded.Length);
            _embedded = null;
        }

        return tensor;
    }

    /// <summary>Flushes the external file and returns its lowercase hex SHA-256 (null when embedding).</summary>
    public string? Complete()
    {
        if (_file is null)
        {
            return null;
        }

        _file.Flush(flushToDisk: true);
        _sha256 ??= _hash!.GetHashAndReset();
        return Convert.ToHexStringLower(_sha256);
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        _file!.Write(data);
        _hash!.AppendData(data);
        BytesWritten += data.Length;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _file?.Dispose();
        _hash?.Dispose();
    }
}
