namespace Verify.Fuzz.Mutation;

/// <summary>
/// The offsets where protobuf fields start and end in a serialised message, found by walking the wire format and
/// descending into every length-delimited field that itself parses as a message.
/// </summary>
public static class ProtobufBoundaries
{
    /// <summary>Field boundaries of the message in <paramref name="bytes"/>, sorted, 0 and the length included.</summary>
    public static List<int> Of(byte[] bytes)
    {
        var result = new SortedSet<int> { 0, bytes.Length };
        Walk(bytes, 0, bytes.Length, result, depth: 0);
        return result.ToList();
    }

    /// <summary>True when [start, end) parses as a sequence of fields; their boundaries are added.</summary>
    static bool Walk(byte[] b, int start, int end, SortedSet<int> result, int depth)
    {
        var found = new List<int>();
        var nested = new List<(int Start, int End)>();
        int i = start;
        while (i < end)
        {
            found.Add(i);
            if (!Varint(b, ref i, end, out ulong tag) || tag >> 3 == 0) return false;
            switch ((int)(tag & 7))
            {
                case 0:
                    if (!Varint(b, ref i, end, out _)) return false;
                    break;
                case 1:
                    i += 8;
                    break;
                case 2:
                    if (!Varint(b, ref i, end, out ulong length) || length > (ulong)(end - i)) return false;
                    nested.Add((i, i + (int)length));
                    found.Add(i);
                    i += (int)length;
                    break;
                case 5:
                    i += 4;
                    break;
                default:
                    return false;
            }
            if (i > end) return false;
        }
        found.Add(end);
        foreach (var f in found) result.Add(f);
        // Below the model, graph and its entries, large payloads (raw tensor data) are data, not fields.
        if (depth < 12)
            foreach (var (s, e) in nested)
                if (e > s && (depth < 2 || e - s < 4096)) Walk(b, s, e, result, depth + 1);
        return true;
    }

    static bool Varint(byte[] b, ref int i, int end, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (i >= end) return false;
            byte x = b[i++];
            value |= (ulong)(x & 0x7f) << shift;
            if ((x & 0x80) == 0) return true;
        }
        return false;
    }
}
