namespace SkDiffusion.Packaging;

/// <summary>
/// Lists the external data files an ONNX graph references (the <c>location</c> entries of its tensors' external data)
/// by walking the protobuf structure: model → graph → initializers, sparse initializers and node attributes (with
/// their subgraphs). Tensor payloads are skipped, not read.
/// </summary>
internal static class OnnxExternalData
{
    private const int MaxDepth = 32;

    /// <summary>The distinct <c>location</c> values of the graph's external tensors.</summary>
    /// <exception cref="ModelPackageException">The file is not a well-formed protobuf message.</exception>
    public static IReadOnlySet<string> Locations(string modelPath)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        using FileStream stream = File.OpenRead(modelPath);
        var reader = new Reader(stream, modelPath);
        reader.Message(stream.Length, Kind.Model, 0, found);
        return found;
    }

    private enum Kind
    {
        Model,
        Graph,
        Node,
        Attribute,
        Tensor,
        Sparse,
        Entry,
    }

    private sealed class Reader(FileStream stream, string path)
    {
        public void Message(long end, Kind kind, int depth, HashSet<string> found)
        {
            if (depth > MaxDepth)
            {
                Fail("nested too deeply");
            }

            string? key = null, value = null;
            while (stream.Position < end)
            {
                ulong tag = Varint();
                int field = (int)(tag >> 3);
                int wire = (int)(tag & 7);
                switch (wire)
                {
                    case 0:
                        Varint();
                        break;
                    case 1:
                        Skip(8, end);
                        break;
                    case 5:
                        Skip(4, end);
                        break;
                    case 2:
                        ulong length = Varint();
                        if (length > (ulong)(end - stream.Position))
                        {
                            Fail("a field runs past the end of its message");
                        }

                        long fieldEnd = stream.Position + (long)length;
                        Kind? child = Child(kind, field);
                        if (child is Kind k)
                        {
                            Message(fieldEnd, k, depth + 1, found);
                        }
                        else if (kind == Kind.Entry && field is 1 or 2)
                        {
                            byte[] bytes = new byte[(int)Math.Min(length, 4096)];
                            stream.ReadExactly(bytes);
                            string text = System.Text.Encoding.UTF8.GetString(bytes);
                            if (field == 1)
                            {
                                key = text;
                            }
                            else
                            {
                                value = text;
                            }
                        }

                        stream.Position = fieldEnd;
                        break;
                    default:
                        Fail($"wire type {wire} is not valid protobuf");
                        break;
                }
            }

            if (kind == Kind.Entry && key == "location" && value is not null)
            {
                found.Add(value);
            }
        }

        // ModelProto.graph = 7; GraphProto: node = 1, initializer = 5, sparse_initializer = 15; NodeProto.attribute = 5;
        // AttributeProto: t = 5, g = 6, tensors = 10, graphs = 11, sparse_tensor = 22, sparse_tensors = 23;
        // TensorProto.external_data = 13; SparseTensorProto: values = 1, indices = 2.
        private static Kind? Child(Kind kind, int field) => (kind, field) switch
        {
            (Kind.Model, 7) => Kind.Graph,
            (Kind.Graph, 1) => Kind.Node,
            (Kind.Graph, 5) => Kind.Tensor,
            (Kind.Graph, 15) => Kind.Sparse,
            (Kind.Node, 5) => Kind.Attribute,
            (Kind.Attribute, 5 or 10) => Kind.Tensor,
            (Kind.Attribute, 6 or 11) => Kind.Graph,
            (Kind.Attribute, 22 or 23) => Kind.Sparse,
            (Kind.Sparse, 1 or 2) => Kind.Tensor,
            (Kind.Tensor, 13) => Kind.Entry,
            _ => null,
        };

        private ulong Varint()
        {
            ulong result = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                int b = stream.ReadByte();
                if (b < 0)
                {
                    Fail("the file ends inside a number");
                }

                result |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return result;
                }
            }

            Fail("a number is longer than 10 bytes");
            return 0;
        }

        private void Skip(int bytes, long end)
        {
            if (end - stream.Position < bytes)
            {
                Fail("a field runs past the end of its message");
            }

            stream.Position += bytes;
        }

        private void Fail(string problem) =>
            throw new ModelPackageException(path, $"the ONNX graph is not a well-formed protobuf file ({problem}). Rebuild the package with SkDiffusion.ModelBuilder.");
    }
}
