using System.IO.MemoryMappedFiles;

namespace SkDiffusion.ModelBuilder.Checkpoints;

/// <summary>A read-only memory-mapped window onto one tensor's bytes; the OS pages data in on demand.</summary>
internal sealed unsafe class TensorDataView : IDisposable
{
    private readonly MemoryMappedViewAccessor? _accessor;
    private bool _acquired;

    /// <summary>Maps <paramref name="length"/> bytes at <paramref name="offset"/> of <paramref name="file"/>.</summary>
    public TensorDataView(MemoryMappedFile file, long offset, long length)
    {
        Length = length;
        if (length == 0)
        {
            return;
        }

        _accessor = file.CreateViewAccessor(offset, length, MemoryMappedFileAccess.Read);
        byte* basePointer = null;
        _accessor.SafeMemoryMappedViewHandle.AcquirePointer(ref basePointer);
        _acquired = true;
        Pointer = basePointer + _accessor.PointerOffset;
    }

    /// <summary>The first byte of the tensor.</summary>
    public byte* Pointer { get; }

    /// <summary>The number of bytes mapped.</summary>
    public long Length { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_accessor is not null)
        {
            if (_acquired)
            {
                _accessor.SafeMemoryMappedViewHandle.ReleasePointer();
                _acquired = false;
            }

            _accessor.Dispose();
        }
    }
}
