using Google.Protobuf;
using Onnx;

namespace SkDiffusion.Tests.Reliability;

/// <summary>Edits a serialized ONNX graph (rename a graph input or output everywhere, change an input's element type).</summary>
internal static class OnnxGraphEdit
{
    /// <summary>Renames the graph input or output <paramref name="from"/> and every node reference to it.</summary>
    public static byte[] Rename(byte[] model, string from, string to)
    {
        ModelProto proto = ModelProto.Parser.ParseFrom(model);
        GraphProto graph = proto.Graph;
        foreach (ValueInfoProto v in graph.Input.Concat(graph.Output).Where(v => v.Name == from))
        {
            v.Name = to;
        }

        foreach (NodeProto node in graph.Node)
        {
            Replace(node.Input);
            Replace(node.Output);
        }

        return proto.ToByteArray();

        void Replace(Google.Protobuf.Collections.RepeatedField<string> names)
        {
            for (int i = 0; i < names.Count; i++)
            {
                if (names[i] == from)
                {
                    names[i] = to;
                }
            }
        }
    }

    /// <summary>Declares the graph input <paramref name="name"/> with another element type.</summary>
    public static byte[] RetypeInput(byte[] model, string name, TensorProto.Types.DataType type)
    {
        ModelProto proto = ModelProto.Parser.ParseFrom(model);
        proto.Graph.Input.Single(v => v.Name == name).Type.TensorType.ElemType = (int)type;
        return proto.ToByteArray();
    }
}
