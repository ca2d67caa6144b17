using SkDiffusion.Sampling;

namespace SkDiffusion.Tests.Sampling;

/// <summary>A small vocabulary for the sampler tests: 0-9 are "digits", 20 EOS, 21 EoT, 22 pad, 31 mask.</summary>
internal static class SamplingTestIds
{
    public const int Vocab = 32;
    public const int Eos = 20;
    public const int Eot = 21;
    public const int Pad = 22;
    public const int Mask = 31;

    public static SpecialTokenIds Ids { get; } = new(Mask, Eos, Eot, Pad);
}
