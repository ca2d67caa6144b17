using System.Text.RegularExpressions;
using SkDiffusion.Packaging;

namespace SkDiffusion.Tokenization;

/// <summary>
/// Checks a package's <c>pre_tokenizer_regex</c> at load: it must never match the empty string (an empty match makes
/// the pre-tokenizer spin forever), and it must split a set of probe texts, including inputs that make nested
/// quantifiers backtrack catastrophically, within <see cref="ProbeTimeout"/>.
/// </summary>
internal static class PreTokenizerRegexCheck
{
    /// <summary>How long one probe may run before the regex is refused as catastrophically backtracking.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromMilliseconds(250);

    private static readonly string[] Probes =
    [
        "", "a", "A", " ", "  ", "\n", "\t", "1", "12345", "!", "é", "日本", "😀", "a b", "Hello, world!", " x", "x ",
        "'s", "don't", "a1!", "\r\n", new string('a', 40) + "!", new string('1', 40) + "x", new string(' ', 40) + "!", new string('1', 40) + "!",
        new string(' ', 40) + "x", new string('a', 40) + "b", new string('a', 40),
        string.Concat(Enumerable.Repeat("ab", 20)) + "\u0000",
    ];

    /// <summary>Throws a <see cref="ModelPackageException"/> naming <paramref name="configPath"/> when the regex is unsafe.</summary>
    public static void Check(string pattern, string configPath, string packageName)
    {
        var probe = new Regex(pattern, RegexOptions.None, ProbeTimeout);
        foreach (string text in Probes)
        {
            try
            {
                for (Match m = probe.Match(text); m.Success; m = m.NextMatch())
                {
                    if (m.Length == 0)
                    {
                        throw new ModelPackageException(configPath, $"pre_tokenizer_regex of package '{packageName}' matches the empty string (at offset {m.Index} of a probe text); an empty match makes tokenization loop forever. Fix the pattern so every match consumes at least one character.");
                    }
                }
            }
            catch (RegexMatchTimeoutException ex)
            {
                throw new ModelPackageException(configPath, $"pre_tokenizer_regex of package '{packageName}' took longer than {ProbeTimeout.TotalMilliseconds} ms on a {text.Length}-character probe text (catastrophic backtracking); simplify its nested quantifiers.", ex);
            }
        }
    }
}
