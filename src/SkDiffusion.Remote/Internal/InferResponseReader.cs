using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using SkDiffusion.Remote.Protocol;

namespace SkDiffusion.Remote.Internal;

/// <summary>
/// The ModelInfer call with a response reader that copies each <c>raw_output_contents</c> buffer once, from the received
/// message straight into a pooled float array (<see cref="FloatBytes"/>), instead of into a new byte array per step that
/// the logits would then be copied out of. Every other field goes through the generated parser.
/// </summary>
internal static class InferResponseReader
{
    /// <summary>The protocol's field number of <c>ModelInferResponse.raw_output_contents</c>.</summary>
    private const int RawOutputContentsField = 6;

    private const int LengthDelimited = 2;

    /// <summary>ModelInfer, as the generated client calls it, but read with <see cref="Read(ReadOnlySequence{byte})"/>.</summary>
    public static Method<ModelInferRequest, ModelInferResponse> ModelInfer { get; } = new(
        MethodType.Unary,
        GRPCInferenceService.Descriptor.FullName,
        "ModelInfer",
        Marshallers.Create<ModelInferRequest>(Write, context => ModelInferRequest.Parser.ParseFrom(context.PayloadAsReadOnlySequence())),
        Marshallers.Create<ModelInferResponse>(Write, context => Read(context.PayloadAsReadOnlySequence())));

    /// <summary>
    /// Parses a ModelInferResponse; its raw output buffers wrap pooled arrays that <see cref="FloatBytes.TakePooled"/>
    /// hands over.
    /// </summary>
    /// <exception cref="InvalidDataException">The message is truncated or not a protobuf message.</exception>
    public static ModelInferResponse Read(ReadOnlySequence<byte> payload)
    {
        var reader = new SequenceReader<byte>(payload);
        ArrayBufferWriter<byte>? rest = null;
        List<ByteString>? raw = null;
        while (!reader.End)
        {
            long fieldStart = reader.Consumed;
            ulong tag = ReadVarint(ref reader);
            int field = (int)(tag >> 3), wireType = (int)(tag & 7);
            if (field == RawOutputContentsField && wireType == LengthDelimited)
            {
                int length = ReadLength(ref reader);
                var bytes = FloatBytes.Rent(length);
                reader.UnreadSequence.Slice(0, length).CopyTo(bytes.GetSpan());
                reader.Advance(length);
                (raw ??= []).Add(UnsafeByteOperations.UnsafeWrap(bytes.Memory));
                continue;
            }

            Skip(ref reader, wireType);
            rest ??= new ArrayBufferWriter<byte>(256);
            ReadOnlySequence<byte> fieldBytes = payload.Slice(fieldStart, reader.Consumed - fieldStart);
            fieldBytes.CopyTo(rest.GetSpan((int)fieldBytes.Length));
            rest.Advance((int)fieldBytes.Length);
        }

        ModelInferResponse response = rest is null ? new ModelInferResponse() : ModelInferResponse.Parser.ParseFrom(rest.WrittenSpan);
        if (raw is not null)
        {
            response.RawOutputContents.AddRange(raw);
        }

        return response;
    }

    private static void Write<T>(T message, SerializationContext context)
        where T : IMessage<T>, IBufferMessage
    {
        context.SetPayloadLength(message.CalculateSize());
        message.WriteTo(context.GetBufferWriter());
        context.Complete();
    }

    private static void Skip(ref SequenceReader<byte> reader, int wireType)
    {
        switch (wireType)
        {
            case 0:
                ReadVarint(ref reader);
                break;
            case 1:
                Advance(ref reader, 8);
                break;
            case LengthDelimited:
                Advance(ref reader, ReadLength(ref reader));
                break;
            case 5:
                Advance(ref reader, 4);
                break;
            default:
                throw new InvalidDataException($"The response has a field of protobuf wire type {wireType}, which ModelInferResponse does not use.");
        }
    }

    private static int ReadLength(ref SequenceReader<byte> reader)
    {
        ulong length = ReadVarint(ref reader);
        if (length > (ulong)reader.Remaining)
        {
            throw new InvalidDataException($"The response is truncated: a field of {length} bytes has only {reader.Remaining} left.");
        }

        return (int)length;
    }

    private static void Advance(ref SequenceReader<byte> reader, int count)
    {
        if (reader.Remaining < count)
        {
            throw new InvalidDataException($"The response is truncated: a field of {count} bytes has only {reader.Remaining} left.");
        }

        reader.Advance(count);
    }

    private static ulong ReadVarint(ref SequenceReader<byte> reader)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (!reader.TryRead(out byte b))
            {
                throw new InvalidDataException("The response is truncated inside a varint.");
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("The response has a varint longer than 10 bytes.");
    }
}
