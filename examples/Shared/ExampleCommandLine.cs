using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;

namespace SkDiffusion.Examples.Shared;

/// <summary>
/// What the examples' command lines share: typed options with range checks and one way to act on a parse result
/// (help printed with exit code 0; unusable input printed as one <c>error:</c> line with exit code 2).
/// </summary>
internal static class ExampleCommandLine
{
    /// <summary>The exit code of a command line that cannot be used.</summary>
    public const int UsageError = 2;

    /// <summary>An integer option that must be at least <paramref name="minimum"/>; a bad value is a parse error naming the option.</summary>
    public static Option<int> Integer(string name, int defaultValue, int minimum, string description) => new(name)
    {
        Description = description,
        HelpName = "n",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string value = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) && n >= minimum)
            {
                return n;
            }

            result.AddError($"{name} must be an integer of at least {minimum}, not '{value}'.");
            return defaultValue;
        },
    };

    /// <summary>An optional integer option (unset when absent) that must be at least <paramref name="minimum"/>.</summary>
    public static Option<int?> OptionalInteger(string name, int minimum, string description) => new(name)
    {
        Description = description,
        HelpName = "n",
        CustomParser = result =>
        {
            string value = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) && n >= minimum)
            {
                return n;
            }

            result.AddError($"{name} must be an integer of at least {minimum}, not '{value}'.");
            return null;
        },
    };

    /// <summary>A comma-separated list of positive integers (e.g. <c>64,128,256</c>).</summary>
    public static Option<int[]> PositiveIntegers(string name, int[] defaultValue, string description) => new(name)
    {
        Description = description,
        HelpName = "n,n,...",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string value = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            var numbers = new List<int>();
            foreach (string part in value.Split(',', StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
                {
                    result.AddError($"{name} must be a comma-separated list of positive integers, not '{value}'.");
                    return defaultValue;
                }

                numbers.Add(n);
            }

            return [.. numbers];
        },
    };

    /// <summary>An option naming an existing folder.</summary>
    public static Option<string?> ExistingDirectory(string name, string description)
    {
        var option = new Option<string?>(name) { Description = description, HelpName = "dir" };
        option.Validators.Add(result =>
        {
            string? value = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (value is not null && !Directory.Exists(value))
            {
                result.AddError($"{name}: folder '{value}' not found.");
            }
        });
        return option;
    }

    /// <summary>An option naming an existing file.</summary>
    public static Option<string?> ExistingFile(string name, string description)
    {
        var option = new Option<string?>(name) { Description = description, HelpName = "file" };
        option.Validators.Add(result =>
        {
            string? value = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (value is not null && !File.Exists(value))
            {
                result.AddError($"{name}: file '{value}' not found.");
            }
        });
        return option;
    }

    /// <summary>
    /// Acts on a parse result before the program runs: prints the parse errors (exit code <see cref="UsageError"/>) or
    /// runs help or version (exit code 0). Returns <see langword="null"/> when the program should run.
    /// </summary>
    public static int? Handle(ParseResult result, TextWriter? output = null, TextWriter? error = null)
    {
        error ??= Console.Error;
        if (result.Action is ParseErrorAction)
        {
            foreach (ParseError parseError in result.Errors)
            {
                error.WriteLine($"error: {parseError.Message}");
            }

            error.WriteLine("Run with --help for the options.");
            return UsageError;
        }

        return result.Action is null ? null : result.Invoke(new InvocationConfiguration { Output = output ?? Console.Out, Error = error });
    }
}
