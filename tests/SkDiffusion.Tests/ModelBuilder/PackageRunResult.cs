namespace SkDiffusion.Tests.ModelBuilder;

/// <summary>The outputs of one <see cref="PackageRunner.Run"/>: logits [B,S,V] and per-layer present key/values [B,Hkv,T,Dh].</summary>
internal sealed record PackageRunResult(float[] Logits, float[][] PresentKeys, float[][] PresentValues, long[] PresentShape);
