using System.Text.Json;
using SkDiffusion.Templates.Json;

namespace SkDiffusion.Grammars.Internal;

/// <summary>
/// The <c>$ref</c>s of one JSON schema: any JSON pointer into the document (<c>#</c>, <c>#/$defs/name</c>,
/// <c>#/properties/parent</c>, as M.E.AI writes them), and recursion unrolled to
/// <see cref="GrammarOptions.MaxRecursionDepth"/> levels, beyond which a recursive reference allows no value.
/// </summary>
internal sealed class JsonSchemaReferences(JsonElement root, GrammarOptions options)
{
    /// <summary>The most recursive expansions one schema may unroll into (a guard against exponential unrolling).</summary>
    internal const int MaxExpansions = 4096;

    // Keywords that may stand next to '$ref' when their value is the empty schema ({} or true): M.E.AI writes
    // {"$ref": "#/properties/children", "items": {}} for a recursive list, and an empty schema constrains nothing.
    private static readonly HashSet<string> VacuousSiblings = new(StringComparer.Ordinal) { "items", "additionalProperties", "properties" };

    // The pointers of the schemas being compiled, outermost first: a '$ref' to one of them is a recursion.
    private readonly List<string> _active = [];
    private int _expansions;
    private int _recursion;

    /// <summary>Whether some recursive reference was cut off at the depth (and allowed no value there).</summary>
    public bool CutOff { get; private set; }

    /// <summary>Whether a keyword next to '$ref' constrains nothing (an empty subschema), so it may be ignored.</summary>
    public static bool IsVacuousSibling(string keyword, JsonElement value) =>
        VacuousSiblings.Contains(keyword) && (value.ValueKind == JsonValueKind.True || (value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any()));

    /// <summary>Marks the schema at <paramref name="pointer"/> as being compiled.</summary>
    public void Enter(string pointer) => _active.Add(pointer);

    /// <summary>Ends the innermost <see cref="Enter"/>.</summary>
    public void Leave() => _active.RemoveAt(_active.Count - 1);

    /// <summary>The language of the schema a '$ref' points to, compiled by <paramref name="schema"/>.</summary>
    /// <param name="reference">The '$ref' value.</param>
    /// <param name="ptr">The pointer of the '$ref' keyword, for errors.</param>
    /// <param name="schema">Compiles a schema at a pointer.</param>
    public RegexNode Expand(JsonElement reference, string ptr, Func<JsonElement, string, RegexNode> schema)
    {
        if (reference.ValueKind != JsonValueKind.String)
        {
            throw new GrammarException("'$ref' must be a string.", ptr);
        }

        string r = reference.GetString()!;
        if (!r.StartsWith('#'))
        {
            throw new GrammarException($"'$ref' '{r}' is not supported: only references inside the schema are ('#', '#/$defs/name', '#/properties/name', any JSON pointer after '#'); inline a remote schema.", ptr);
        }

        string pointer = Uri.UnescapeDataString(r[1..]);
        if (pointer.Length > 0 && pointer[0] != '/')
        {
            throw new GrammarException($"'$ref' '{r}' names an anchor, which is not supported: refer to the schema by its JSON pointer ('#/...').", ptr);
        }

        if (Resolve(pointer) is not { } target)
        {
            throw new GrammarException($"'$ref' '{r}' points to nothing: no schema stands at '{pointer}'.", ptr);
        }

        if (!_active.Contains(pointer))
        {
            return schema(target, pointer);
        }

        if (options.MaxRecursionDepth == 0)
        {
            throw new GrammarException($"'$ref' '{r}' is recursive and GrammarOptions.MaxRecursionDepth is 0: recursive schemas are not regular; allow a depth (1 to 8) to unroll them.", ptr);
        }

        // The levels count every recursive expansion on the way down, whichever schema it re-enters (a tree's children
        // and a parent link share the depth). Beyond the depth the reference allows no value: an optional, nullable or
        // array-held recursion ends there.
        if (_recursion == options.MaxRecursionDepth)
        {
            CutOff = true;
            return RegexNode.Nothing;
        }

        if (++_expansions > MaxExpansions)
        {
            throw new GrammarException($"the schema's recursive '$ref's unroll into more than {MaxExpansions} copies at GrammarOptions.MaxRecursionDepth {options.MaxRecursionDepth}: lower the depth.", ptr);
        }

        _recursion++;
        try
        {
            return schema(target, pointer);
        }
        finally
        {
            _recursion--;
        }
    }

    /// <summary>The schema at a JSON pointer of the root ("" is the root), or null.</summary>
    private JsonElement? Resolve(string pointer)
    {
        var at = root;
        if (pointer.Length == 0)
        {
            return at;
        }

        foreach (string raw in pointer[1..].Split('/'))
        {
            if (!JsonPointer.TryStep(at, raw, out at))
            {
                return null;
            }
        }

        return at.ValueKind is JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False ? at : null;
    }
}
