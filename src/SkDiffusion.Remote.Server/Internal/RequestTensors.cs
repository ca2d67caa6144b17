using System.Runtime.InteropServices;
using Grpc.Core;
using SkDiffusion.Remote.Protocol;

namespace SkDiffusion.Remote.Server.Internal;

/// <summary>The INT64 inputs of a ModelInfer request, read from raw bytes or typed contents, with their shapes checked.</summary>
internal sealed class RequestTensors
{
    private RequestTensors(long[] tokens, long[] positions, long[] mask, int[]? logitsPositions, int rows, int length, int maskWidth)
    {
        Tokens = tokens;
        Positions = positions;
        Mask = mask;
        LogitsPositions = logitsPositions;
        Rows = rows;
        Length = length;
        MaskWidth = maskWidth;
    }

    public long[] Tokens { get; }

    public long[] Positions { get; }

    public long[] Mask { get; }

    /// <summary>Row-major <c>[Rows, K]</c> positions whose logits are wanted; null for every position.</summary>
    public int[]? LogitsPositions { get; }

    public int Rows { get; }

    public int Length { get; }

    /// <summary>The attention mask's second dimension: past (held on the server) plus <see cref="Length"/>.</summary>
    public int MaskWidth { get; }

    /// <summary>Reads the inputs; throws an InvalidArgument <see cref="RpcException"/> naming the tensor and its shape.</summary>
    public static RequestTensors Read(ModelInferRequest request)
    {
        bool raw = request.RawInputContents.Count > 0;
        if (raw && request.RawInputContents.Count != request.Inputs.Count)
        {
            throw Invalid($"the request has {request.RawInputContents.Count} raw_input_contents for {request.Inputs.Count} inputs (shape of the request is inconsistent)");
        }

        (long[] Data, long Rows, long Columns)? ids = null, pos = null, mask = null, gather = null;
        for (int i = 0; i < request.Inputs.Count; i++)
        {
            var input = request.Inputs[i];
            if (input.Name is not ("input_ids" or "position_ids" or "attention_mask" or "logits_positions"))
            {
                throw Invalid($"unknown input '{input.Name}'; this server takes input_ids, position_ids, attention_mask and logits_positions");
            }

            if (input.Datatype != "INT64" || input.Shape.Count != 2 || input.Shape[0] < 1 || input.Shape[1] < 1)
            {
                throw Invalid($"input '{input.Name}' is {input.Datatype} with shape [{string.Join(", ", input.Shape)}]; expected INT64 [batch, n] with positive dimensions");
            }

            long count = input.Shape[0] * input.Shape[1];
            long[] data;
            if (raw)
            {
                ReadOnlySpan<byte> bytes = request.RawInputContents[i].Span;
                if (bytes.Length != count * sizeof(long))
                {
                    throw Invalid($"input '{input.Name}' has {bytes.Length} bytes; its shape [{input.Shape[0]}, {input.Shape[1]}] of INT64 needs {count * sizeof(long)}");
                }

                data = MemoryMarshal.Cast<byte, long>(bytes).ToArray();
            }
            else
            {
                var typed = input.Contents?.Int64Contents;
                if (typed is null || typed.Count != count)
                {
                    throw Invalid($"input '{input.Name}' has {typed?.Count ?? 0} int64_contents; its shape [{input.Shape[0]}, {input.Shape[1]}] needs {count}");
                }

                data = [.. typed];
            }

            var value = (data, input.Shape[0], input.Shape[1]);
            switch (input.Name)
            {
                case "input_ids": ids = value; break;
                case "position_ids": pos = value; break;
                case "attention_mask": mask = value; break;
                default: gather = value; break;
            }
        }

        if (ids is null || mask is null)
        {
            throw Invalid("the request needs inputs 'input_ids' and 'attention_mask' (and 'position_ids' for cached steps)");
        }

        int rows = (int)ids.Value.Rows, length = (int)ids.Value.Columns;
        if (pos is not null && (pos.Value.Rows != rows || pos.Value.Columns != length))
        {
            throw Invalid($"input 'position_ids' has shape [{pos.Value.Rows}, {pos.Value.Columns}]; it must match input_ids [{rows}, {length}]");
        }

        if (mask.Value.Rows != rows || mask.Value.Columns < length)
        {
            throw Invalid($"input 'attention_mask' has shape [{mask.Value.Rows}, {mask.Value.Columns}]; expected [{rows}, past + {length}]");
        }

        int[]? positions = null;
        if (gather is not null)
        {
            if (gather.Value.Rows != rows)
            {
                throw Invalid($"input 'logits_positions' has shape [{gather.Value.Rows}, {gather.Value.Columns}]; expected [{rows}, k]");
            }

            positions = new int[gather.Value.Data.Length];
            for (int i = 0; i < positions.Length; i++)
            {
                long p = gather.Value.Data[i];
                if ((ulong)p >= (ulong)length)
                {
                    throw Invalid($"logits_positions entry {i} is {p}, outside the row [0, {length}) of shape [{rows}, {length}]");
                }

                positions[i] = (int)p;
            }
        }

        return new RequestTensors(ids.Value.Data, pos?.Data ?? [], mask.Value.Data, positions, rows, length, (int)mask.Value.Columns);
    }

    private static RpcException Invalid(string problem) => new(new Status(StatusCode.InvalidArgument, $"Bad tensor shape or contents: {problem}."));
}
