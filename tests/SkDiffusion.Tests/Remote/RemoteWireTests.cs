using System.Buffers;
using System.Runtime.InteropServices;
using Google.Protobuf;
using SkDiffusion.Denoising;
using SkDiffusion.Remote;
using SkDiffusion.Remote.Internal;
using SkDiffusion.Remote.Protocol;
using SkDiffusion.Remote.Server;
using SkDiffusion.Tests.Equivalence;
using static SkDiffusion.Tests.Remote.RemoteTestSupport;

namespace SkDiffusion.Tests.Remote;

/// <summary>
/// The copies a step's logits go through: the client reads the raw buffer straight into the pooled array that becomes
/// the output, the server wraps the denoiser's buffer (or copies rows it has to reorder), and nothing changes a value.
/// </summary>
public sealed class RemoteWireTests(EmbeddedModelFixture model) : IClassFixture<EmbeddedModelFixture>
{
    private static ModelInferResponse Sample()
    {
        var response = new ModelInferResponse { ModelName = "tiny", ModelVersion = "1", Id = "step-7" };
        response.Parameters["sequence_id"] = new InferParameter { Uint64Param = 42 };
        response.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor { Name = "logits", Datatype = "FP32", Shape = { 1, 3, 5 } });
        response.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor { Name = "extra", Datatype = "INT64", Shape = { 2 } });
        float[] logits = [.. Enumerable.Range(0, 15).Select(i => (i * 0.37f) - 2f)];
        response.RawOutputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(logits.AsSpan())));
        response.RawOutputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(new long[] { -1, 1L << 40 }.AsSpan())));
        return response;
    }

    /// <summary>The bytes in segments of <paramref name="size"/>, so that fields and varints straddle segment ends.</summary>
    private static ReadOnlySequence<byte> Chunked(byte[] bytes, int size)
    {
        var first = new Segment(bytes.AsMemory(0, Math.Min(size, bytes.Length)), 0);
        Segment last = first;
        for (int at = size; at < bytes.Length; at += size)
        {
            last = last.Append(bytes.AsMemory(at, Math.Min(size, bytes.Length - at)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void The_reader_parses_a_response_as_the_generated_parser_does_with_raw_buffers_in_pooled_floats(int segment)
    {
        ModelInferResponse sent = Sample();

        ModelInferResponse read = InferResponseReader.Read(Chunked(sent.ToByteArray(), segment));

        Assert.Equal(sent, read);
        Assert.All(read.RawOutputContents, raw => Assert.True(MemoryMarshal.TryGetMemoryManager(raw.Memory, out FloatBytes? _, out _, out _)));
    }

    [Fact]
    public void A_truncated_response_is_refused_by_the_reader()
    {
        byte[] bytes = Sample().ToByteArray();

        var ex = Assert.Throws<InvalidDataException>(() => InferResponseReader.Read(new ReadOnlySequence<byte>(bytes.AsMemory(0, bytes.Length - 3))));

        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_the_logits_hands_over_the_received_array_instead_of_copying_it()
    {
        ModelInferResponse response = InferResponseReader.Read(new ReadOnlySequence<byte>(Sample().ToByteArray()));
        float[] expected = MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span).ToArray();

        float[] logits = TensorWire.ReadLogits(response, 1, 3, 5, "test");

        Assert.Equal(expected, logits.AsSpan(0, 15).ToArray());
        Assert.Throws<ObjectDisposedException>(() => response.RawOutputContents[0].Span.Length);
        ArrayPool<float>.Shared.Return(logits);
    }

    [Theory]
    [InlineData(false, new[] { 5, 2, 9 })]
    [InlineData(false, new[] { 5, 2, 5 })]
    [InlineData(true, new[] { 5, 2, 9 })]
    public async Task Served_logits_equal_the_served_denoisers_own_logits(bool everyPosition, int[] positions)
    {
        // everyPosition: the served denoiser returns every position's logits, so the server copies the asked rows out;
        // otherwise it returns them gathered in the asked order and the response wraps its buffer (a repeated position
        // makes the server copy, too).
        IDenoiser served = everyPosition ? new EveryPositionDenoiser(model.Denoiser) : model.Denoiser;
        long[] tokens = [.. model.Prompt("Where is the market?").Select(t => (long)t)];
        var input = new DenoiserInput(tokens, 1, tokens.Length, default, positions);
        using DenoiserOutput local = await served.DenoiseAsync(input);
        await using var host = await RemoteDenoiserHost.StartAsync(served, model.Package.Manifest);
        using var remote = await RemoteDenoiser.ConnectAsync(model.Package.Manifest, ClientOptions(host, SequenceCacheMode.Stateless));

        using DenoiserOutput over = await remote.DenoiseAsync(input);

        foreach (int p in positions)
        {
            Assert.Equal(local.GetLogits(0, p).ToArray(), over.GetLogits(0, p).ToArray());
        }
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    /// <summary>Ignores <see cref="DenoiserInput.LogitsPositions"/> and returns every position's logits.</summary>
    private sealed class EveryPositionDenoiser(IDenoiser inner) : IDenoiser
    {
        public int VocabularySize => inner.VocabularySize;

        public int MaxSequenceLength => inner.MaxSequenceLength;

        public ValueTask<DenoiserOutput> DenoiseAsync(DenoiserInput input, CancellationToken cancellationToken = default) =>
            inner.DenoiseAsync(new DenoiserInput(input.TokenIds, input.BatchSize, input.SequenceLength, input.AttentionMask), cancellationToken);

        public void Dispose()
        {
        }
    }
}
