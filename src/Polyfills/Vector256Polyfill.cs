using System.Runtime.Intrinsics;

namespace SkDiffusion;

/// <summary>
/// <c>Vector256.Log</c> and <c>Vector256.Exp</c> of doubles (new in .NET 9) for the net8.0 builds, element by element
/// with <see cref="Math"/>; compiled into each library for net8.0 only (src/Directory.Build.props).
/// </summary>
internal static class Vector256Polyfill
{
    extension(Vector256)
    {
        /// <summary>The natural logarithm of each element.</summary>
        public static Vector256<double> Log(Vector256<double> x) =>
            Vector256.Create(Math.Log(x.GetElement(0)), Math.Log(x.GetElement(1)), Math.Log(x.GetElement(2)), Math.Log(x.GetElement(3)));

        /// <summary>e raised to each element.</summary>
        public static Vector256<double> Exp(Vector256<double> x) =>
            Vector256.Create(Math.Exp(x.GetElement(0)), Math.Exp(x.GetElement(1)), Math.Exp(x.GetElement(2)), Math.Exp(x.GetElement(3)));
    }
}
