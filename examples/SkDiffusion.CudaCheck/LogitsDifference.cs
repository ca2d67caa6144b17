namespace SkDiffusion.CudaCheck;

/// <summary>How two sets of logits over the same positions differ.</summary>
/// <param name="MaxAbs">The largest absolute difference.</param>
/// <param name="MeanAbs">The mean absolute difference over every logit.</param>
/// <param name="MaxLogit">The largest |logit| of the reference.</param>
/// <param name="Positions">Positions compared.</param>
/// <param name="ArgmaxAgreements">Positions whose highest logit is the same token on both sides.</param>
internal sealed record LogitsDifference(double MaxAbs, double MeanAbs, double MaxLogit, int Positions, int ArgmaxAgreements)
{
    /// <summary>The share of positions with the same top token.</summary>
    public double ArgmaxAgreement => Positions == 0 ? 1 : (double)ArgmaxAgreements / Positions;

    /// <summary>Whether every part of <paramref name="tolerance"/> holds.</summary>
    public bool Passes(Tolerance tolerance)
    {
        double scale = Math.Max(1.0, MaxLogit);
        return MaxAbs <= tolerance.MaxRelative * scale && MeanAbs <= tolerance.MeanRelative * scale && ArgmaxAgreement >= tolerance.MinArgmaxAgreement;
    }

    /// <summary>A row of the parity table: | name | max abs | mean abs | max logit | argmax | tolerance | result |.</summary>
    public string Row(string name, Tolerance tolerance)
    {
        double scale = Math.Max(1.0, MaxLogit);
        return $"| {name} | {MaxAbs:E2} (≤ {tolerance.MaxRelative * scale:E2}) | {MeanAbs:E2} (≤ {tolerance.MeanRelative * scale:E2}) | {MaxLogit:F2} | "
            + $"{ArgmaxAgreements}/{Positions} = {ArgmaxAgreement:P1} (≥ {tolerance.MinArgmaxAgreement:P0}) | {(Passes(tolerance) ? "pass" : "FAIL")} |";
    }

    /// <summary>The header of the parity table.</summary>
    public const string Header = "| comparison | max abs difference | mean abs difference | max abs logit | same top token | result |\n|---|---:|---:|---:|---:|---|";
}
