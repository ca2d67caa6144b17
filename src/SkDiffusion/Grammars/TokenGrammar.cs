using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using SkDiffusion.Grammars.Internal;
using SkDiffusion.Packaging;

namespace SkDiffusion.Grammars;

/// <summary>
/// A regular language lifted to a model's tokens: a constrained region of L positions must spell <c>w · END*</c>,
/// where <c>w</c> is a word of the language and END the end tokens (EOS, optionally EoT). Built from a JSON schema, a
/// regular expression, a template or as schema-less JSON; immutable, thread-safe, and cached per (source, options,
/// vocabulary instance). Attach it to a canvas slot with <c>CanvasSlotOptions.Grammar</c> or
/// <c>DiffusionCanvas.FromPrompt(prompt, answerLength, grammar)</c>. See docs/grammars.md for the supported language.
/// </summary>
public sealed class TokenGrammar
{
    private static readonly ConditionalWeakTable<ByteVocabulary, ConcurrentDictionary<string, Lazy<TokenGrammar>>> Cache = new();

    private readonly Dfa _dfa;

    private TokenGrammar(Dfa dfa, TokenAutomaton automaton, string description)
    {
        _dfa = dfa;
        Automaton = automaton;
        Description = description;
    }

    /// <summary>The vocabulary the grammar was lifted to.</summary>
    public ByteVocabulary Vocabulary => Automaton.Vocabulary;

    /// <summary>What the grammar was built from (kind and source text), for messages.</summary>
    public string Description { get; }

    /// <summary>The automaton's states (byte-level states plus the end state).</summary>
    public int StateCount => Automaton.StateCount;

    /// <summary>The fewest tokens of a word of the language: a constrained region needs at least this many positions.</summary>
    public int MinimumTokens => Automaton.MinimumTokens;

    internal TokenAutomaton Automaton { get; }

    /// <summary>
    /// A region length that leaves room beyond the shortest word: one and a half times <see cref="MinimumTokens"/> plus
    /// <paramref name="headroom"/>, rounded up to a multiple of 8. Unbounded strings and arrays may need more.
    /// </summary>
    /// <param name="headroom">Extra positions for values longer than their minimum (default 32).</param>
    public int SuggestAnswerLength(int headroom = 32)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(headroom);
        int n = (MinimumTokens * 3 / 2) + headroom;
        return Math.Max(8, (n + 7) / 8 * 8);
    }

    /// <summary>The grammar of the canonical JSON documents that satisfy a JSON schema.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="vocabulary">The vocabulary.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="GrammarException">A keyword is unsupported, of the wrong type or contradictory (the message names its JSON pointer).</exception>
    public static TokenGrammar FromJsonSchema(JsonElement schema, ByteVocabulary vocabulary, GrammarOptions? options = null)
    {
        if (schema.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The schema is an undefined JsonElement: pass a parsed schema (JsonDocument.Parse(...).RootElement).", nameof(schema));
        }

        var root = schema.Clone();
        return Get("json-schema", root.GetRawText(), vocabulary, options, o => JsonSchemaCompiler.Compile(root, o));
    }

    /// <summary>The grammar of a JSON schema for a model package's tokenizer.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="package">The model package.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    public static TokenGrammar FromJsonSchema(JsonElement schema, ModelPackage package, GrammarOptions? options = null) =>
        FromJsonSchema(schema, ByteVocabulary.FromPackage(package), options);

    /// <summary>The grammar of the strings a regular expression matches as a whole (subset in docs/grammars.md).</summary>
    /// <param name="pattern">The pattern.</param>
    /// <param name="vocabulary">The vocabulary.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="GrammarException">The pattern uses an unsupported construct (the message names its offset).</exception>
    public static TokenGrammar FromRegex(string pattern, ByteVocabulary vocabulary, GrammarOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return Get("regex", pattern, vocabulary, options, _ => RegexParser.Parse(pattern).Node);
    }

    /// <summary>The grammar of a <c>{{name:type}}</c> template: fixed text plus typed values of free length.</summary>
    /// <param name="template">The template text (syntax of <see cref="SkDiffusion.Templates.TextTemplate"/>).</param>
    /// <param name="vocabulary">The vocabulary.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    public static TokenGrammar FromTemplate(string template, ByteVocabulary vocabulary, GrammarOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        return Get("template", template, vocabulary, options, _ => TemplateLanguage.Compile(template));
    }

    /// <summary>Any JSON value in canonical layout, nested at most <see cref="GrammarOptions.MaxJsonDepth"/> deep.</summary>
    /// <param name="vocabulary">The vocabulary.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    public static TokenGrammar AnyJson(ByteVocabulary vocabulary, GrammarOptions? options = null) =>
        Get("any-json", "", vocabulary, options, o => JsonLexicon.AnyValue(o.MaxJsonDepth));

    /// <summary>Any JSON object or array in canonical layout (what a schema-less JSON response format asks for), nested at
    /// most <see cref="GrammarOptions.MaxJsonDepth"/> deep.</summary>
    /// <param name="vocabulary">The vocabulary.</param>
    /// <param name="options">Options, or <see langword="null"/> for the defaults.</param>
    public static TokenGrammar AnyJsonDocument(ByteVocabulary vocabulary, GrammarOptions? options = null) =>
        Get("any-json-document", "", vocabulary, options, o => JsonLexicon.AnyContainer(o.MaxJsonDepth));

    /// <summary>Creates a feasibility pass over a region of <paramref name="length"/> positions.</summary>
    /// <param name="length">The region length.</param>
    internal GrammarFeasibility CreateFeasibility(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        return new GrammarFeasibility(Automaton, length);
    }

    /// <summary>Whether a text is a word of the language (byte level, no tokens involved).</summary>
    /// <param name="text">The text.</param>
    public bool Matches(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _dfa.Matches(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Whether a text can still be completed to a word of the language (byte level; reward verifiers).</summary>
    /// <param name="text">The text.</param>
    internal bool IsViablePrefix(string text) => _dfa.Run(_dfa.Start, Encoding.UTF8.GetBytes(text)) >= 0;

    /// <summary>Whether token ids spell a word of the language followed only by end tokens (none needed).</summary>
    /// <param name="tokens">The token ids.</param>
    public bool Accepts(IEnumerable<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        int s = Automaton.Start;
        foreach (int t in tokens)
        {
            s = Automaton.Next(s, t);
            if (s < 0)
            {
                return false;
            }
        }

        return Automaton.IsAccepting(s);
    }

    private static TokenGrammar Get(string kind, string source, ByteVocabulary vocabulary, GrammarOptions? options, Func<GrammarOptions, RegexNode> compile)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        options ??= GrammarOptions.Default;
        options.Validate();
        if (options.CopySource is not null)
        {
            // Per-request languages (the source is the request's text) would grow the cache without bound.
            return Build(kind, source, vocabulary, options, compile);
        }

        var perVocabulary = Cache.GetValue(vocabulary, _ => new ConcurrentDictionary<string, Lazy<TokenGrammar>>(StringComparer.Ordinal));
        string key = kind + "\n" + options.CacheKey + "\n" + source;
        var lazy = perVocabulary.GetOrAdd(key, _ => new Lazy<TokenGrammar>(() => Build(kind, source, vocabulary, options, compile)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            perVocabulary.TryRemove(key, out _);
            throw;
        }
    }

    private static TokenGrammar Build(string kind, string source, ByteVocabulary vocabulary, GrammarOptions options, Func<GrammarOptions, RegexNode> compile)
    {
        var dfa = Dfa.Build(compile(options), options.MaxStates);
        var automaton = new TokenAutomaton(dfa, vocabulary, options.AllowEndOfTurn);
        string description = source.Length > 80 ? $"{kind} {source[..77]}..." : $"{kind} {source}";
        if (automaton.MinimumTokens < 0)
        {
            throw new GrammarException($"The vocabulary cannot spell any word of the language ({description}): some required byte sequence has no token path.");
        }

        return new TokenGrammar(dfa, automaton, description);
    }
}
