using Microsoft.Extensions.AI;
using SkDiffusion.Sampling.Guidance;

namespace SkDiffusion.Extensions.AI;

/// <summary>
/// Reward guidance through Microsoft.Extensions.AI: a reward on one request (<see cref="ChatOptions"/>) or as the
/// default of a registered client (<see cref="ChatClientBuilder"/>). The reward goes under
/// <c>AdditionalProperties["reward"]</c>, the candidate count and the mode under <c>reward_candidates</c> and
/// <c>reward_mode</c>, so settings from configuration (a name such as <c>"copy"</c>) and objects meet in one place.
/// </summary>
public static class DiffusionRewardExtensions
{
    /// <summary>Sets the reward of a request (replacing any reward already set).</summary>
    /// <param name="options">The chat options.</param>
    /// <param name="reward">A verifier over the decoded text, e.g. <see cref="CopyFidelityReward"/>.</param>
    /// <param name="candidates">Rollouts per block or commits per step (1..64); null for the default 4.</param>
    /// <param name="mode">Per block (default) or per step.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="candidates"/> is outside 1..64.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by the type of the reward (text verifier, token scorer, function), never by the optional candidates and mode, so no call can bind to two of them.")]
    public static ChatOptions WithReward(this ChatOptions options, TextReward reward, int? candidates = null, RewardMode? mode = null) =>
        Set(options, reward, candidates, mode);

    /// <summary>Sets the reward of a request to a scorer of candidate canvases (token level).</summary>
    /// <param name="options">The chat options.</param>
    /// <param name="scorer">The scorer.</param>
    /// <param name="candidates">Rollouts per block or commits per step (1..64); null for the default 4.</param>
    /// <param name="mode">Per block (default) or per step.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by the type of the reward (text verifier, token scorer, function), never by the optional candidates and mode, so no call can bind to two of them.")]
    public static ChatOptions WithReward(this ChatOptions options, IRewardScorer scorer, int? candidates = null, RewardMode? mode = null) =>
        Set(options, scorer, candidates, mode);

    /// <summary>Sets the reward of a request to a function of the decoded text (it must handle partial answers).</summary>
    /// <param name="options">The chat options.</param>
    /// <param name="reward">The function.</param>
    /// <param name="candidates">Rollouts per block or commits per step (1..64); null for the default 4.</param>
    /// <param name="mode">Per block (default) or per step.</param>
    /// <returns><paramref name="options"/>, for chaining.</returns>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by the type of the reward (text verifier, token scorer, function), never by the optional candidates and mode, so no call can bind to two of them.")]
    public static ChatOptions WithReward(this ChatOptions options, Func<RewardText, double> reward, int? candidates = null, RewardMode? mode = null) =>
        Set(options, reward, candidates, mode);

    /// <summary>
    /// Gives every request of a registered client a default reward (requests that name their own reward keep it),
    /// e.g. <c>services.AddDiffusionChatClient(path).UseDiffusionReward(new CopyFidelityReward())</c>.
    /// </summary>
    /// <param name="builder">The client builder (from <c>AddDiffusionChatClient</c>).</param>
    /// <param name="reward">The default reward.</param>
    /// <param name="candidates">Rollouts per block or commits per step (1..64); null for the default 4.</param>
    /// <param name="mode">Per block (default) or per step.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static ChatClientBuilder UseDiffusionReward(this ChatClientBuilder builder, TextReward reward, int? candidates = null, RewardMode? mode = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(reward);
        CheckCandidates(candidates);
        return builder.ConfigureOptions(options =>
        {
            options.AdditionalProperties ??= [];
            if (!options.AdditionalProperties.ContainsKey(DiffusionRewardBinder.Key))
            {
                Set(options, reward, options.AdditionalProperties.ContainsKey("reward_candidates") ? null : candidates, options.AdditionalProperties.ContainsKey("reward_mode") ? null : mode);
            }
        });
    }

    private static ChatOptions Set(ChatOptions options, object reward, int? candidates, RewardMode? mode)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(reward);
        CheckCandidates(candidates);
        options.AdditionalProperties ??= [];
        options.AdditionalProperties[DiffusionRewardBinder.Key] = reward;
        if (candidates is int n)
        {
            options.AdditionalProperties["reward_candidates"] = n;
        }

        if (mode is RewardMode m)
        {
            options.AdditionalProperties["reward_mode"] = m == RewardMode.Block ? "block" : "step";
        }

        return options;
    }

    private static void CheckCandidates(int? candidates)
    {
        if (candidates is < 1 or > DiffusionRewardBinder.MaxCandidates)
        {
            throw new ArgumentOutOfRangeException(nameof(candidates), candidates, $"candidates must lie in 1..{DiffusionRewardBinder.MaxCandidates} (rollouts per block or commits per step).");
        }
    }
}
