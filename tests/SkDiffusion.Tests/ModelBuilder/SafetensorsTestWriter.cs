using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace SkDiffusion.Tests.ModelBuilder;

/// <summary>Reads and writes small safetensors files for tests (the format: u64 header length, JSON header, raw data).</summary>
internal static class SafetensorsTestWriter
{
    /// <summary>Reads every tensor of a safetensors file.</summary>
    public static Dictionary<string, TestTensor> Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        var result = new Dictionary<string, TestTensor>(StringComparer.Ordinal);
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
            {
                continue;
            }

            long begin = entry.Value.GetProperty("data_offsets")[0].GetInt64();
            long end = entry.Value.GetProperty("data_offsets")[1].GetInt64();
            result[entry.Name] = new TestTensor(
                entry.Value.GetProperty("dtype").GetString()!,
                entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
                bytes.AsSpan((int)(8 + headerLength + begin), (int)(end - begin)).ToArray());
        }

        return result;
    }

    /// <summary>Reads every tensor of a checkpoint folder (single file or sharded).</summary>
    public static Dictionary<string, TestTensor> ReadCheckpoint(string directory)
    {
        var result = new Dictionary<string, TestTensor>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(directory, "*.safetensors"))
        {
            foreach (var (name, tensor) in Read(file))
            {
                result[name] = tensor;
            }
        }

        return result;
    }

    /// <summary>Writes tensors to a safetensors file.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, TestTensor> tensors)
    {
        using var json = new MemoryStream();
        long offset = 0;
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            foreach (var (name, tensor) in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                writer.WriteStartObject(name);
                writer.WriteString("dtype", tensor.DType);
                writer.WriteStartArray("shape");
                foreach (var dim in tensor.Shape)
                {
                    writer.WriteNumberValue(dim);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + tensor.Data.Length);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += tensor.Data.Length;
            }

            writer.WriteEndObject();
        }

        using var file = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        file.Write(length);
        file.Write(json.ToArray());
        foreach (var (_, tensor) in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            file.Write(tensor.Data);
        }
    }

    /// <summary>Writes a raw header (possibly malformed) followed by <paramref name="data"/>.</summary>
    public static void WriteRawHeader(string path, string header, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        using var file = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        file.Write(length);
        file.Write(json);
        file.Write(data);
    }

    /// <summary>Converts an F32 tensor to BF16 (round to nearest even) or F16.</summary>
    public static TestTensor Narrow(TestTensor tensor, string dtype)
    {
        var floats = new float[tensor.Data.Length / 4];
        Buffer.BlockCopy(tensor.Data, 0, floats, 0, tensor.Data.Length);
        var data = new byte[floats.Length * 2];
        for (int i = 0; i < floats.Length; i++)
        {
            ushort bits = dtype switch
            {
                "F16" => BitConverter.HalfToUInt16Bits((Half)floats[i]),
                "BF16" => RoundToBf16(floats[i]),
                _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
            };
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(i * 2), bits);
        }

        return new TestTensor(dtype, tensor.Shape, data);
    }

    private static ushort RoundToBf16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        uint rounding = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }
}
