namespace SkDiffusion.Grammars.Internal;

/// <summary>The kinds of <see cref="RegexNode"/>.</summary>
internal enum RegexNodeKind
{
    /// <summary>The empty word.</summary>
    Empty,

    /// <summary>No word at all (the empty language).</summary>
    Nothing,

    /// <summary>One byte out of a set.</summary>
    Bytes,

    /// <summary>The children one after another.</summary>
    Concat,

    /// <summary>Any one of the children.</summary>
    Alternation,

    /// <summary>The child repeated Min to Max times (Max -1: unbounded).</summary>
    Repeat,

    /// <summary>A finished automaton (<see cref="RegexNode.Graph"/>).</summary>
    Graph,
}
