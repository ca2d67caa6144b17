namespace SkDiffusion.Sampling.Internal.Forward;

/// <summary>Position lists for cached runs.</summary>
internal static class Positions
{
    /// <summary>Writes <c>start..end-1</c> into <paramref name="buffer"/> from <paramref name="at"/>; returns the new count.</summary>
    public static int Fill(int[] buffer, int at, int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            buffer[at++] = i;
        }

        return at;
    }
}
