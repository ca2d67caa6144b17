using System.Text.Json;
using SkDiffusion.Tests.TestSupport;

namespace SkDiffusion.Tests.Sampling;

/// <summary>
/// The deterministic fake model the reference goldens (tests/fixtures/reference-goldens) were produced with: the
/// logits of position i are a hash of i and the other tokens of the row (only the earlier ones when causal), on a grid
/// of multiples of <c>scale</c> that float32 holds exactly, plus fixed EOS/EoT biases; the mask token gets -20.
/// </summary>
/// <param name="Scale">Grid step of the logits.</param>
/// <param name="EosBias">Added to the EOS logit.</param>
/// <param name="EotBias">Added to the EoT logit.</param>
/// <param name="Causal">Whether position i hashes only the tokens before it.</param>
/// <param name="Shifted">Dream layout: position i holds the prediction for i + 1 (hashing tokens 0..i).</param>
internal sealed record ReferenceFake(double Scale, double EosBias, double EotBias, bool Causal, bool Shifted = false)
{
    private const int Modulus = 65521;

    /// <summary>Reads a golden's "fake" entry.</summary>
    public static ReferenceFake From(JsonElement fake) => new(
        fake.GetProperty("scale").GetDouble(),
        fake.GetProperty("eosBias").GetDouble(),
        fake.GetProperty("eotBias").GetDouble(),
        fake.GetProperty("causal").GetBoolean(),
        fake.TryGetProperty("shifted", out var s) && s.GetBoolean());

    /// <summary>The golden file's root element.</summary>
    public static JsonElement Goldens { get; } = JsonDocument.Parse(File.ReadAllText(Path.Combine(TinyPackages.FindFixture("reference-goldens"), "engine-goldens.json"))).RootElement;

    /// <summary>Reads an int array property.</summary>
    public static int[] Ints(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.GetInt32()).ToArray();

    /// <summary>A denoiser returning aligned logits (Dream layout: position i gets the raw output of i - 1).</summary>
    public FakeDenoiser Denoiser() => Shifted
        ? new(SamplingTestIds.Vocab, (row, tokens, position, logits) => Fill(row, tokens, Math.Max(0, position - 1), logits))
        : new(SamplingTestIds.Vocab, Fill);

    /// <summary>A caching denoiser over the same logits (realigned per run in the Dream layout).</summary>
    public CachingFakeDenoiser CachingDenoiser() => new(SamplingTestIds.Vocab, Fill, Shifted);

    /// <summary>The logits of <paramref name="position"/> in <paramref name="tokens"/>.</summary>
    public void Fill(int row, ReadOnlySpan<long> tokens, int position, Span<float> logits)
    {
        // Dream layout: the raw output at i predicts i + 1 from tokens 0..i.
        int target = Shifted ? position + 1 : position;
        long h = ((1009L * target) + 17) % Modulus;
        for (int j = 0; j < tokens.Length; j++)
        {
            if (j == target || (Causal && j > target) || (Shifted && j > position))
            {
                continue;
            }

            h = ((h * 131) + tokens[j] + 7) % Modulus;
        }

        for (int v = 0; v < logits.Length; v++)
        {
            long k = ((h * (v + 3)) + (37L * v * v) + (h >> 4)) % 61;
            logits[v] = (float)(k * Scale);
        }

        logits[SamplingTestIds.Eos] = (float)((double)logits[SamplingTestIds.Eos] + EosBias);
        logits[SamplingTestIds.Eot] = (float)((double)logits[SamplingTestIds.Eot] + EotBias);
        logits[SamplingTestIds.Mask] = -20f;
    }
}
