using SkDiffusion.SemanticKernel.Infilling;

namespace SkDiffusion.InfillingEditor;

/// <summary>
/// The example's main path: sentences from the embedded model's world (a country's capital, language and currency,
/// and a person described earlier in the same passage), each with a one-word hole that the rest of the text decides.
/// Each document's correct filled text is recorded in <c>models/eval/known-good.json</c>.
/// </summary>
public static class InfillingDemo
{
    /// <summary>The documents the example fills.</summary>
    public static IReadOnlyList<string> Documents { get; } =
    [
        "The capital of Feshai is [[MASK:1]].",
        "The currency of Shaileson is the [[MASK:1]].",
        "People in Saizoumo speak [[MASK:1]].",
        "Meet Breith Brezil, a 32-year-old painter from Zelelem, who is single. Breith Brezil is a painter from [[MASK:1]].",
    ];

    /// <summary>Fills every document in turn.</summary>
    /// <param name="service">The infilling service.</param>
    /// <param name="cancellationToken">Cancels the runs.</param>
    /// <returns>Each document's result, in the order of <see cref="Documents"/>.</returns>
    public static async Task<IReadOnlyList<InfillingResult>> RunAsync(DiffusionInfillingService service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        var results = new List<InfillingResult>(Documents.Count);
        foreach (string document in Documents)
        {
            results.Add(await service.InfillAsync(document, cancellationToken: cancellationToken).ConfigureAwait(false));
        }

        return results;
    }
}
