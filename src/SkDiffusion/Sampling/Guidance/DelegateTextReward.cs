namespace SkDiffusion.Sampling.Guidance;

/// <summary>A <see cref="TextReward"/> over a function.</summary>
internal sealed class DelegateTextReward(Func<RewardText, double> score, string name) : TextReward
{
    public override string Name => name;

    public override double Score(RewardText text) => score(text);
}
