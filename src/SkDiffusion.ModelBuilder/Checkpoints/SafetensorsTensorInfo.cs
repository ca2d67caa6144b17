namespace SkDiffusion.ModelBuilder.Checkpoints;

/// <summary>Where one tensor lives in a safetensors file, as declared by its header.</summary>
/// <param name="Name">The tensor name.</param>
/// <param name="DType">The element type.</param>
/// <param name="Shape">The dimensions.</param>
/// <param name="FileOffset">The absolute byte offset of the first element in the file.</param>
/// <param name="ByteLength">The number of bytes of data.</param>
/// <param name="File">The file that holds it.</param>
internal sealed record SafetensorsTensorInfo(string Name, SafetensorsDType DType, long[] Shape, long FileOffset, long ByteLength, SafetensorsFile File)
{
    /// <summary>The number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The shape as text, e.g. <c>[4096, 128]</c>.</summary>
    public string ShapeText => FormatShape(Shape);

    /// <summary>Formats a shape as <c>[a, b]</c>.</summary>
    public static string FormatShape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>The size of one element of <paramref name="dtype"/> in bytes.</summary>
    public static int ElementSize(SafetensorsDType dtype) => dtype == SafetensorsDType.F32 ? 4 : 2;
}
