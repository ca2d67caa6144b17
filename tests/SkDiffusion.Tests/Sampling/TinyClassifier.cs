using Google.Protobuf;
using Onnx;

namespace SkDiffusion.Tests.Sampling;

/// <summary>
/// A tiny ONNX text classifier written in C#: byte ids <c>int64 [1, n]</c> → an embedding of two label scores per byte
/// (digits push label 1 up by 4, every other byte down by 4) → mean over the bytes → softmax → <c>float [1, 2]</c>.
/// </summary>
internal static class TinyClassifier
{
    public static string Write(string directory, bool softmax = true)
    {
        var graph = new GraphProto { Name = "tiny-classifier" };
        var table = new TensorProto { Name = "table", DataType = (int)TensorProto.Types.DataType.Float };
        table.Dims.Add(256);
        table.Dims.Add(2);
        for (int b = 0; b < 256; b++)
        {
            table.FloatData.Add(0f);
            table.FloatData.Add(b is >= '0' and <= '9' ? 4f : -4f);
        }

        graph.Initializer.Add(table);
        graph.Input.Add(Value("ids", TensorProto.Types.DataType.Int64, "batch", "length"));
        graph.Output.Add(Value("probs", TensorProto.Types.DataType.Float, "batch", 2));
        graph.Node.Add(Node("Gather", ["table", "ids"], ["embedded"]));
        var mean = Node("ReduceMean", ["embedded"], [softmax ? "mean" : "probs"]);
        mean.Attribute.Add(new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1 } });
        mean.Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        graph.Node.Add(mean);
        if (softmax)
        {
            graph.Node.Add(Node("Softmax", ["mean"], ["probs"]));
        }

        var model = new ModelProto { IrVersion = 8, ProducerName = "tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, softmax ? "classifier.onnx" : "classifier-logits.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = op, Name = op + "_" + outputs[0] };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (object d in dims)
        {
            shape.Dim.Add(d is string s ? new TensorShapeProto.Types.Dimension { DimParam = s } : new TensorShapeProto.Types.Dimension { DimValue = (int)d });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }
}
