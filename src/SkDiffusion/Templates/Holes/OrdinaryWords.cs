namespace SkDiffusion.Templates.Holes;

/// <summary>
/// Ordinary words of varied length, used to measure how many tokens a word takes with a given tokenizer (each word
/// is encoded after a space, so a tokenizer that emits the space as its own token pays for it).
/// </summary>
internal static class OrdinaryWords
{
    public static readonly IReadOnlyList<string> All =
    [
        "the", "of", "and", "to", "in", "is", "was", "for", "that", "with", "as", "on", "by", "at", "from", "his", "her",
        "are", "were", "it", "an", "be", "this", "which", "or", "one", "all", "had", "they", "but", "not", "have", "has",
        "their", "there", "when", "who", "more", "also", "first", "new", "other", "after", "two", "time", "only", "some",
        "can", "into", "years", "between", "about", "most", "people", "made", "many", "over", "three", "used", "city",
        "world", "state", "part", "during", "later", "such", "year", "well", "became", "under", "number", "family",
        "house", "called", "water", "school", "while", "being", "known", "since", "four", "home", "government", "small",
        "large", "country", "capital", "language", "currency", "name", "doctor", "teacher", "married", "Paris", "London",
        "Maria", "John", "river", "morning", "beautiful", "quickly", "information", "important", "together",
    ];

    /// <summary>The 95th percentile of the tokens each word takes after a space.</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    public static int TokensPerWord(ITemplateTokenizer tokenizer)
    {
        int[] counts = [.. All.Select(w => tokenizer.Encode(" " + w).Count).Order()];
        return Math.Max(1, counts[(int)Math.Ceiling(0.95 * counts.Length) - 1]);
    }
}
