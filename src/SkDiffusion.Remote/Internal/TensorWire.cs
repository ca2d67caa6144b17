using System.Buffers;
using System.Runtime.InteropServices;
using Google.Protobuf;
using SkDiffusion.Denoising;
using SkDiffusion.Remote.Protocol;

namespace SkDiffusion.Remote.Internal;

/// <summary>Writes request tensors as raw little-endian bytes and reads the logits of a response, refusing malformed ones.</summary>
internal static class TensorWire
{
    /// <summary>The logits output's name.</summary>
    public const string Logits = "logits";

    /// <summary>Adds an INT64 input whose bytes go to <c>raw_input_contents</c>.</summary>
    public static void AddInt64(ModelInferRequest request, string name, ReadOnlySpan<long> values, long rows, long columns)
    {
        var tensor = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "INT64" };
        tensor.Shape.Add(rows);
        tensor.Shape.Add(columns);
        request.Inputs.Add(tensor);
        byte[] bytes = new byte[values.Length * sizeof(long)];
        MemoryMarshal.AsBytes(values).CopyTo(bytes);
        request.RawInputContents.Add(UnsafeByteOperations.UnsafeWrap(bytes));
    }

    /// <summary>Adds an input with no elements (an empty past for a graph that takes key/value inputs).</summary>
    public static void AddEmpty(ModelInferRequest request, string name, string datatype, ReadOnlySpan<long> shape)
    {
        var tensor = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = datatype };
        foreach (long d in shape)
        {
            tensor.Shape.Add(d);
        }

        request.Inputs.Add(tensor);
        request.RawInputContents.Add(ByteString.Empty);
    }

    /// <summary>
    /// Reads the <c>[rows, k, vocabulary]</c> FP32 logits of a response into a pooled buffer, after checking the output's
    /// name, datatype, shape and byte count.
    /// </summary>
    /// <exception cref="RemoteDenoiserException">The response is malformed.</exception>
    public static float[] ReadLogits(ModelInferResponse response, int rows, int k, int vocabulary, string server)
    {
        void Refuse(string problem) => throw new RemoteDenoiserException($"Refused a malformed response from {server}: {problem}. The server does not follow the Open Inference Protocol for this model, or serves another model.");

        int index = -1;
        for (int i = 0; i < response.Outputs.Count; i++)
        {
            if (response.Outputs[i].Name == Logits)
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            Refuse($"no output named '{Logits}' (outputs: {string.Join(", ", response.Outputs.Select(o => o.Name))})");
        }

        var output = response.Outputs[index];
        if (output.Datatype != "FP32")
        {
            Refuse($"output '{Logits}' is {output.Datatype}, expected FP32");
        }

        if (output.Shape.Count != 3 || output.Shape[0] != rows || output.Shape[1] != k || output.Shape[2] != vocabulary)
        {
            Refuse($"output '{Logits}' has shape [{string.Join(", ", output.Shape)}], expected [{rows}, {k}, {vocabulary}]");
        }

        int count = rows * k * vocabulary;
        if (response.RawOutputContents.Count > 0)
        {
            if (response.RawOutputContents.Count != response.Outputs.Count)
            {
                Refuse($"{response.RawOutputContents.Count} raw output buffers for {response.Outputs.Count} outputs");
            }

            ByteString raw = response.RawOutputContents[index];
            if (raw.Length != (long)count * sizeof(float))
            {
                Refuse($"output '{Logits}' has {raw.Length} bytes, expected {(long)count * sizeof(float)} for [{rows}, {k}, {vocabulary}] FP32");
            }

            // Read by InferResponseReader: the bytes already lie in a pooled float array, which becomes the output.
            if (MemoryMarshal.TryGetMemoryManager(raw.Memory, out FloatBytes? received, out int start, out int length)
                && start == 0 && length == received.ByteLength && received.TakePooled() is float[] taken)
            {
                return taken;
            }

            float[] copy = ArrayPool<float>.Shared.Rent(count);
            MemoryMarshal.Cast<byte, float>(raw.Span).CopyTo(copy);
            return copy;
        }

        var typed = output.Contents?.Fp32Contents;
        if (typed is null || typed.Count != count)
        {
            Refuse($"output '{Logits}' has {typed?.Count ?? 0} FP32 values, expected {count}");
        }

        float[] buffer = ArrayPool<float>.Shared.Rent(count);
        typed!.CopyTo(buffer, 0);
        return buffer;
    }

    /// <summary>Wraps logits read by <see cref="ReadLogits"/> as a denoiser output (every position, or the listed ones).</summary>
    public static DenoiserOutput ToOutput(float[] buffer, int rows, int sequenceLength, int vocabulary, ReadOnlySpan<int> positions) =>
        positions.IsEmpty
            ? new PooledDenoiserOutput(buffer, rows, sequenceLength, vocabulary)
            : new PooledDenoiserOutput(buffer, rows, sequenceLength, vocabulary, positions);
}
