namespace SkDiffusion.Sampling.Guidance;

/// <summary>
/// A reward candidate as text: the decoded prompt and answer. Mid-decoding, the answer still holds masked positions;
/// each run of them is shown as one <see cref="Gap"/> character, and <see cref="Fragments"/> lists the known text
/// between the gaps. Masks are unknown, so a verifier should judge only what the fragments already decide.
/// </summary>
public sealed class RewardText
{
    /// <summary>The character that stands for a run of masked positions in <see cref="Answer"/>.</summary>
    public const char Gap = '\u2591';

    /// <summary>Creates a reward text.</summary>
    /// <param name="prompt">The decoded prompt.</param>
    /// <param name="fragments">The answer's known text pieces in order; consecutive pieces are separated by a gap.</param>
    /// <param name="leadingGap">Whether the answer starts with a gap.</param>
    /// <param name="trailingGap">Whether the answer ends with a gap.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public RewardText(string prompt, IReadOnlyList<string> fragments, bool leadingGap = false, bool trailingGap = false)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(fragments);
        if (fragments.Any(f => f is null))
        {
            throw new ArgumentException("A fragment is null: pass the known text pieces between the gaps (empty strings are allowed).", nameof(fragments));
        }

        Prompt = prompt;
        Fragments = fragments;
        LeadingGap = leadingGap;
        TrailingGap = trailingGap;
        IsComplete = !leadingGap && !trailingGap && fragments.Count <= 1;
        Answer = (leadingGap ? Gap.ToString() : "") + string.Join(Gap, fragments) + (trailingGap && !(leadingGap && fragments.Count == 0) ? Gap.ToString() : "");
    }

    /// <summary>Creates the text of a complete answer (no gap).</summary>
    /// <param name="prompt">The decoded prompt.</param>
    /// <param name="answer">The answer.</param>
    public static RewardText Complete(string prompt, string answer) => new(prompt, [answer ?? throw new ArgumentNullException(nameof(answer))]);

    /// <summary>The decoded prompt (special tokens skipped).</summary>
    public string Prompt { get; }

    /// <summary>The answer, each run of masked positions shown as <see cref="Gap"/>; end tokens and what follows are cut.</summary>
    public string Answer { get; }

    /// <summary>The answer's known pieces, in order.</summary>
    public IReadOnlyList<string> Fragments { get; }

    /// <summary>Whether the answer starts with masked positions.</summary>
    public bool LeadingGap { get; }

    /// <summary>Whether the answer ends with masked positions.</summary>
    public bool TrailingGap { get; }

    /// <summary>Whether the answer holds no masked position (decoding of this text is finished).</summary>
    public bool IsComplete { get; }
}
