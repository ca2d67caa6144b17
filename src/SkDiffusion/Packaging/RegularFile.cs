using System.Runtime.InteropServices;

namespace SkDiffusion.Packaging;

/// <summary>
/// Whether a path is a regular file, asked of the file system without opening it: opening a FIFO blocks until a writer
/// appears, and a device can be read without end. Linux is asked through <c>statx</c> (whose layout is the same on every
/// architecture); elsewhere only links and folders are told apart.
/// </summary>
internal static partial class RegularFile
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int FileTypeMask = 0xF000;
    private const int Regular = 0x8000;

    /// <summary>Throws a <see cref="ModelPackageException"/> naming <paramref name="path"/> unless it is a regular file.</summary>
    public static void Require(string path)
    {
        int? type = FileType(path);
        if (type is int t && (t & FileTypeMask) != Regular)
        {
            string kind = (t & FileTypeMask) switch
            {
                0x1000 => "a FIFO (named pipe)",
                0x2000 => "a character device",
                0x6000 => "a block device",
                0xC000 => "a socket",
                0xA000 => "a symbolic link",
                0x4000 => "a folder",
                _ => "not a regular file",
            };
            throw new ModelPackageException(path, $"the path is {kind}; package files must be regular files (reading it could block or never end).");
        }
    }

    private static int? FileType(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        Span<byte> buffer = stackalloc byte[256];
        try
        {
            unsafe
            {
                fixed (byte* b = buffer)
                {
                    if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, b) != 0)
                    {
                        return null;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }

        // struct statx: stx_mask u32 @0, stx_blksize u32 @4, stx_attributes u64 @8, stx_nlink u32 @16, stx_uid u32 @20,
        // stx_gid u32 @24, stx_mode u16 @28.
        return BitConverter.ToUInt16(buffer.Slice(28, 2));
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string pathname, int flags, uint mask, byte* statxbuf);
}
