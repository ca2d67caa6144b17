using Google.Protobuf;
using Onnx;

namespace SkDiffusion.ModelBuilder.Graph;

/// <summary>A thin helper over <see cref="GraphProto"/>: adds nodes with generated output names, constants, inputs and outputs.</summary>
internal sealed class OnnxGraphBuilder
{
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    private GraphProto? _branch;

    /// <summary>The graph being built.</summary>
    public GraphProto Graph { get; } = new() { Name = "skdiffusion" };

    /// <summary>A name not used before, derived from <paramref name="hint"/>.</summary>
    public string Fresh(string hint)
    {
        _counters.TryGetValue(hint, out int n);
        _counters[hint] = n + 1;
        return n == 0 ? hint : $"{hint}_{n}";
    }

    /// <summary>Adds a node with one output named after <paramref name="hint"/> and returns that output's name.</summary>
    public string Op(string opType, string hint, IReadOnlyList<string> inputs, params AttributeProto[] attributes) =>
        OpTo(opType, Fresh(hint), inputs, attributes);

    /// <summary>Adds a node whose single output is called <paramref name="output"/> and returns it.</summary>
    public string OpTo(string opType, string output, IReadOnlyList<string> inputs, params AttributeProto[] attributes)
    {
        OpMulti(opType, [output], inputs, "", attributes);
        return output;
    }

    /// <summary>Adds a node with explicit outputs and domain.</summary>
    public void OpMulti(string opType, IReadOnlyList<string> outputs, IReadOnlyList<string> inputs, string domain, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = Fresh("node_" + opType), Domain = domain };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        (_branch ?? Graph).Node.Add(node);
    }

    /// <summary>
    /// Adds an ONNX <c>If</c> node with one output of element type <paramref name="type"/>. Each branch callback adds its
    /// nodes to that branch's subgraph (they may read any value of the enclosing graph; constants still go to the main graph)
    /// and returns the name of the value the branch yields.
    /// </summary>
    /// <param name="hint">The name hint of the output.</param>
    /// <param name="condition">A single-element bool tensor.</param>
    /// <param name="type">The element type of the output.</param>
    /// <param name="thenBranch">Writes the branch taken when the condition holds.</param>
    /// <param name="elseBranch">Writes the branch taken otherwise.</param>
    /// <returns>The name of the <c>If</c> node's output.</returns>
    public string If(string hint, string condition, TensorProto.Types.DataType type, Func<string> thenBranch, Func<string> elseBranch)
    {
        var then = Branch(hint + "_then", type, thenBranch);
        var otherwise = Branch(hint + "_else", type, elseBranch);
        string output = Fresh(hint);
        OpMulti("If", [output], [condition], "",
            new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = then },
            new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = otherwise });
        return output;
    }

    private GraphProto Branch(string name, TensorProto.Types.DataType type, Func<string> write)
    {
        if (_branch is not null)
        {
            throw new InvalidOperationException("Nested If branches are not supported.");
        }

        var graph = new GraphProto { Name = Fresh(name) };
        _branch = graph;
        try
        {
            string result = write();
            if (!graph.Node.Any(n => n.Output.Contains(result)))
            {
                throw new InvalidOperationException($"The branch {graph.Name} must compute its output {result} itself.");
            }

            // The element type is required; the shape is left to inference.
            graph.Output.Add(new ValueInfoProto { Name = result, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type } } });
        }
        finally
        {
            _branch = null;
        }

        return graph;
    }

    /// <summary>Casts <paramref name="input"/> from <paramref name="from"/> to <paramref name="to"/>; adds no node when they are equal.</summary>
    public string Cast(string input, TensorProto.Types.DataType from, TensorProto.Types.DataType to) =>
        from == to
            ? input
            : Op("Cast", input + (to == TensorProto.Types.DataType.Float16 ? "_f16" : "_f32"), [input], Attr("to", (long)to));

    /// <summary>Adds a 1-D int64 constant initializer and returns its name.</summary>
    public string Int64s(string hint, params long[] values)
    {
        var tensor = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a float32 scalar constant initializer and returns its name.</summary>
    public string Scalar(string hint, float value)
    {
        var tensor = new TensorProto { Name = Fresh(hint), DataType = (int)TensorProto.Types.DataType.Float };
        tensor.FloatData.Add(value);
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a scalar constant initializer of float32 or float16 and returns its name.</summary>
    public string Scalar(string hint, float value, TensorProto.Types.DataType type)
    {
        if (type == TensorProto.Types.DataType.Float)
        {
            return Scalar(hint, value);
        }

        if (type != TensorProto.Types.DataType.Float16)
        {
            throw new ArgumentOutOfRangeException(nameof(type));
        }

        var tensor = new TensorProto { Name = Fresh(hint), DataType = (int)type };
        tensor.RawData = ByteString.CopyFrom(BitConverter.GetBytes(BitConverter.HalfToUInt16Bits((Half)value)));
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds an initializer built elsewhere (weights).</summary>
    public void AddInitializer(TensorProto tensor) => Graph.Initializer.Add(tensor);

    /// <summary>Declares a graph input; each dimension is a symbolic name (string) or a fixed size (int or long).</summary>
    public void AddInput(string name, TensorProto.Types.DataType type, params object[] dims) => Graph.Input.Add(ValueInfo(name, type, dims));

    /// <summary>Declares a graph output; each dimension is a symbolic name (string) or a fixed size (int or long).</summary>
    public void AddOutput(string name, TensorProto.Types.DataType type, params object[] dims) => Graph.Output.Add(ValueInfo(name, type, dims));

    /// <summary>An integer attribute.</summary>
    public static AttributeProto Attr(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A float attribute.</summary>
    public static AttributeProto Attr(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    /// <summary>An integer-list attribute.</summary>
    public static AttributeProto Attr(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>A string attribute.</summary>
    public static AttributeProto Attr(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                int size => new TensorShapeProto.Types.Dimension { DimValue = size },
                long size => new TensorShapeProto.Types.Dimension { DimValue = size },
                _ => throw new ArgumentException($"Unsupported dimension {dim}.", nameof(dims)),
            });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
