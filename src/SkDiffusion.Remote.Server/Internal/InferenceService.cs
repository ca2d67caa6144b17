using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using SkDiffusion.Denoising;
using SkDiffusion.Packaging;
using SkDiffusion.Remote.Internal;
using SkDiffusion.Remote.Protocol;

namespace SkDiffusion.Remote.Server.Internal;

/// <summary>The Open Inference Protocol's gRPC service over one denoiser, with server-held sequences when it can cache.</summary>
internal sealed class InferenceService(ServedModel model) : GRPCInferenceService.GRPCInferenceServiceBase
{
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = true });

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context)
    {
        var response = new ServerMetadataResponse { Name = "skdiffusion", Version = typeof(InferenceService).Assembly.GetName().Version?.ToString() ?? "0" };
        if (model.Caching is not null)
        {
            response.Extensions.Add(ServedModel.SequenceCacheExtension);
        }

        return Task.FromResult(response);
    }

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ModelReadyResponse { Ready = model.Matches(request.Name, request.Version) });

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        model.ThrowIfNotServed(request.Name, request.Version);
        var response = new ModelMetadataResponse { Name = model.Name, Platform = "skdiffusion_onnx" };
        response.Versions.Add(model.Version);
        foreach (string name in new[] { "input_ids", "position_ids", "attention_mask", "logits_positions" })
        {
            response.Inputs.Add(new ModelMetadataResponse.Types.TensorMetadata { Name = name, Datatype = "INT64", Shape = { -1, -1 } });
        }

        response.Outputs.Add(new ModelMetadataResponse.Types.TensorMetadata { Name = "logits", Datatype = "FP32", Shape = { -1, -1, model.Manifest.VocabSize } });
        return Task.FromResult(response);
    }

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        model.ThrowIfNotServed(request.ModelName, request.ModelVersion);
        string? sequence = SequenceId(request);
        bool start = Flag(request, "sequence_start"), end = Flag(request, "sequence_end");
        var response = new ModelInferResponse { ModelName = model.Name, ModelVersion = model.Version, Id = request.Id };
        if (sequence is not null && end && request.Inputs.Count == 0)
        {
            model.Sequences.End(sequence);
            return response;
        }

        RequestTensors t = RequestTensors.Read(request);
        CancellationToken ct = context.CancellationToken;
        try
        {
            DenoiserOutput output;
            if (sequence is null)
            {
                if (t.MaskWidth != t.Length)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"Bad tensor shape: attention_mask is [{t.Rows}, {t.MaskWidth}] but a request without sequence_id has no past; expected [{t.Rows}, {t.Length}]."));
                }

                output = await model.Denoiser.DenoiseAsync(new DenoiserInput(t.Tokens, t.Rows, t.Length, t.Mask, t.LogitsPositions), ct).ConfigureAwait(false);
            }
            else
            {
                ICachingDenoiser caching = model.Caching ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, $"This server keeps no sequences for model '{model.Name}' (its graph has no key/value cache); send steps without sequence_id."));
                if (t.Positions.Length == 0)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, "Bad tensor shape: a step with sequence_id needs input 'position_ids' [batch, n]."));
                }

                if (start)
                {
                    var opened = await caching.DenoiseWithCacheAsync(new CachedDenoiserInput(t.Tokens, t.Positions, t.Mask, t.Rows, t.Length, null, returnPresent: true), ct).ConfigureAwait(false);
                    if (end)
                    {
                        opened.Present?.Dispose();
                    }
                    else
                    {
                        model.Sequences.Put(sequence, opened.Present!);
                    }

                    output = opened.Logits;
                }
                else
                {
                    var (found, result) = await model.Sequences.UseAsync(sequence, async past =>
                    {
                        if (t.MaskWidth != past.Length + t.Length)
                        {
                            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Bad tensor shape: attention_mask is [{t.Rows}, {t.MaskWidth}]; sequence {sequence} holds {past.Length} positions, so [{t.Rows}, {past.Length + t.Length}] is needed."));
                        }

                        return (await caching.DenoiseWithCacheAsync(new CachedDenoiserInput(t.Tokens, t.Positions, t.Mask, t.Rows, t.Length, past, returnPresent: false), ct).ConfigureAwait(false)).Logits;
                    }, ct).ConfigureAwait(false);
                    if (!found)
                    {
                        throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Sequence {sequence} is not held (never started, ended, expired or evicted); start it again with sequence_start."));
                    }

                    output = result;
                    if (end)
                    {
                        model.Sequences.End(sequence);
                    }
                }
            }

            WriteLogits(response, output, t, context.GetHttpContext().Response);
            return response;
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, "The request was cancelled."));
        }
    }

    /// <summary>
    /// Writes <c>[rows, k, vocab]</c> FP32 logits (the asked positions, or every position) as one raw buffer, and takes
    /// ownership of <paramref name="output"/>. When the output already holds exactly those rows in that order (the
    /// ONNX denoiser gathers the asked positions), the response wraps its buffer without a copy; otherwise the rows are
    /// copied into a pooled buffer. Either is released once the response has been sent.
    /// </summary>
    private static void WriteLogits(ModelInferResponse response, DenoiserOutput output, RequestTensors t, HttpResponse http)
    {
        try
        {
            int v = output.VocabularySize, rows = t.Rows;
            int k = t.LogitsPositions is null ? t.Length : t.LogitsPositions.Length / rows;
            long size = (long)rows * k * v * sizeof(float);
            if (size > Array.MaxLength)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted, $"The logits [{rows}, {k}, {v}] FP32 take {size} bytes, more than one response can carry; ask for fewer positions with logits_positions, or send fewer rows per request."));
            }

            int count = rows * k * v;
            Span<float> logits = output.Logits.Span;
            bool inPlace = MemoryMarshal.TryGetArray<float>(output.Logits, out ArraySegment<float> segment) && logits.Length == count;
            for (int r = 0; inPlace && r < rows; r++)
            {
                for (int j = 0; inPlace && j < k; j++)
                {
                    int p = t.LogitsPositions is null ? j : t.LogitsPositions[(r * k) + j];
                    inPlace = Unsafe.AreSame(ref MemoryMarshal.GetReference(output.GetLogits(r, p)), ref logits[((r * k) + j) * v]);
                }
            }

            FloatBytes bytes;
            if (inPlace)
            {
                bytes = new FloatBytes(segment.Array!, segment.Offset, count * sizeof(float), pooled: false);
                http.RegisterForDispose(output);
            }
            else
            {
                bytes = FloatBytes.Rent(count * sizeof(float));
                Span<float> all = MemoryMarshal.Cast<byte, float>(bytes.GetSpan());
                for (int r = 0; r < rows; r++)
                {
                    for (int j = 0; j < k; j++)
                    {
                        int p = t.LogitsPositions is null ? j : t.LogitsPositions[(r * k) + j];
                        output.GetLogits(r, p).CopyTo(all.Slice(((r * k) + j) * v, v));
                    }
                }

                http.RegisterForDispose(bytes);
                output.Dispose();
            }

            response.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor { Name = "logits", Datatype = "FP32", Shape = { rows, k, v } });
            response.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(bytes.Memory));
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    private static string? SequenceId(ModelInferRequest request)
    {
        if (!request.Parameters.TryGetValue("sequence_id", out InferParameter? p))
        {
            return null;
        }

        return p.ParameterChoiceCase switch
        {
            InferParameter.ParameterChoiceOneofCase.Uint64Param when p.Uint64Param != 0 => p.Uint64Param.ToString(System.Globalization.CultureInfo.InvariantCulture),
            InferParameter.ParameterChoiceOneofCase.Int64Param when p.Int64Param != 0 => p.Int64Param.ToString(System.Globalization.CultureInfo.InvariantCulture),
            InferParameter.ParameterChoiceOneofCase.StringParam when p.StringParam.Length > 0 => "s:" + p.StringParam,
            _ => null,
        };
    }

    private static bool Flag(ModelInferRequest request, string name) =>
        request.Parameters.TryGetValue(name, out InferParameter? p) && p.ParameterChoiceCase == InferParameter.ParameterChoiceOneofCase.BoolParam && p.BoolParam;
}
