using SkDiffusion.Tokenization;

namespace SkDiffusion.Sampling.Guidance;

/// <summary>
/// Scores reward candidates with a <see cref="TextReward"/>: decodes the prompt and the answer region (special tokens
/// skipped, the answer cut at the first end token, runs of masks turned into gaps) and returns the text reward.
/// </summary>
public sealed class TextRewardScorer : IRewardScorer
{
    private readonly DiffusionTokenizer _tokenizer;
    private readonly HashSet<int> _ends;

    /// <summary>Creates a scorer.</summary>
    /// <param name="reward">The text reward.</param>
    /// <param name="tokenizer">The model's tokenizer (its mask, EOS and EoT ids are used).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public TextRewardScorer(TextReward reward, DiffusionTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(reward);
        ArgumentNullException.ThrowIfNull(tokenizer);
        Reward = reward;
        _tokenizer = tokenizer;
        _ends = [tokenizer.EosId, tokenizer.EotId];
    }

    /// <summary>The text reward.</summary>
    public TextReward Reward { get; }

    /// <inheritdoc />
    public ValueTask<double> ScoreAsync(RewardCandidate candidate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        cancellationToken.ThrowIfCancellationRequested();
        return Reward.ScoreAsync(ToText(candidate), cancellationToken);
    }

    /// <summary>The candidate as text.</summary>
    /// <param name="candidate">The candidate.</param>
    public RewardText ToText(RewardCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var span = candidate.Tokens.Span;
        int promptLength = Math.Clamp(candidate.PromptLength, 0, span.Length);
        var prompt = new int[promptLength];
        for (int i = 0; i < promptLength; i++)
        {
            prompt[i] = (int)span[i];
        }

        // The answer as runs: text runs (token lists) separated by runs of masks; cut at the first end token.
        var fragments = new List<string>();
        var piece = new List<int>();
        bool leading = false, lastWasGap = false;
        for (int i = promptLength; i < span.Length; i++)
        {
            int t = (int)span[i];
            if (_ends.Contains(t))
            {
                break;
            }

            if (t == _tokenizer.MaskId)
            {
                if (i == promptLength)
                {
                    leading = true;
                }
                else if (!lastWasGap)
                {
                    fragments.Add(_tokenizer.Decode(piece, skipSpecialTokens: true));
                    piece.Clear();
                }

                lastWasGap = true;
                continue;
            }

            lastWasGap = false;
            piece.Add(t);
        }

        if (!lastWasGap)
        {
            fragments.Add(_tokenizer.Decode(piece, skipSpecialTokens: true));
        }

        bool trailing = lastWasGap;
        return new RewardText(_tokenizer.Decode(prompt, skipSpecialTokens: true), fragments, leading, trailing);
    }
}
