namespace SkDiffusion;

/// <summary>
/// <c>Convert.ToHexStringLower</c> (new in .NET 9) for the net8.0 builds; compiled into each library for net8.0 only
/// (src/Directory.Build.props).
/// </summary>
internal static class ConvertPolyfill
{
    extension(Convert)
    {
        /// <summary>The bytes as lowercase hexadecimal digits.</summary>
        public static string ToHexStringLower(byte[] inArray) => Convert.ToHexString(inArray).ToLowerInvariant();
    }
}
