using System.Runtime.InteropServices;

namespace Verify.SolverHost;

/// <summary>The binary framing of requests and replies between the engine and a solver worker (little-endian).</summary>
internal static class Wire
{
    const int RequestMagic = 0x51525356;  // "VSRQ"
    const int ReplyMagic = 0x50525356;    // "VSRP"

    /// <summary>Reply status meaning "send the rows' coefficients again": the worker does not hold that model.</summary>
    public const int NeedStructure = 101;

    /// <summary>Largest array the reader accepts (guards against a corrupted length).</summary>
    const int MaxLength = 1 << 28;

    public static void WriteRequest(BinaryWriter w, SolveRequest r)
    {
        w.Write(RequestMagic);
        w.Write(r.ModelKey);
        w.Write(r.StructureVersion);
        w.Write(r.SolverId);
        Doubles(w, r.ColumnLower);
        Doubles(w, r.ColumnUpper);
        w.Write(r.ColumnInteger.Length);
        foreach (var b in r.ColumnInteger) w.Write(b);
        Doubles(w, r.RowLower);
        Doubles(w, r.RowUpper);
        w.Write(r.HasStructure);
        if (r.HasStructure)
        {
            for (int i = 0; i < r.RowLower.Length; i++)
            {
                Ints(w, r.RowColumns![i]);
                Doubles(w, r.RowCoefficients![i]);
            }
        }
        Ints(w, r.ObjectiveColumns);
        Doubles(w, r.ObjectiveCoefficients);
        w.Write(r.ObjectiveOffset);
        var s = r.Settings;
        w.Write(s.TimeLimitMs);
        w.Write(s.SpecificParameters);
        w.Write(s.RelativeGap ?? double.NaN);
        w.Write(s.PresolveOff);
        w.Write(s.WantDuals);
        w.Flush();
    }

    public static SolveRequest ReadRequest(BinaryReader r)
    {
        if (r.ReadInt32() != RequestMagic) throw new InvalidDataException("not a solve request");
        long key = r.ReadInt64();
        int version = r.ReadInt32();
        string solver = r.ReadString();
        var lower = Doubles(r);
        var upper = Doubles(r);
        var integer = new bool[Length(r)];
        for (int j = 0; j < integer.Length; j++) integer[j] = r.ReadBoolean();
        var rowLower = Doubles(r);
        var rowUpper = Doubles(r);
        int[][]? columns = null;
        double[][]? coefficients = null;
        if (r.ReadBoolean())
        {
            columns = new int[rowLower.Length][];
            coefficients = new double[rowLower.Length][];
            for (int i = 0; i < rowLower.Length; i++)
            {
                columns[i] = Ints(r);
                coefficients[i] = Doubles(r);
            }
        }
        var objColumns = Ints(r);
        var objCoefficients = Doubles(r);
        double offset = r.ReadDouble();
        long limit = r.ReadInt64();
        string specific = r.ReadString();
        double gap = r.ReadDouble();
        bool presolveOff = r.ReadBoolean();
        bool duals = r.ReadBoolean();
        return new SolveRequest
        {
            ModelKey = key, StructureVersion = version, SolverId = solver,
            ColumnLower = lower, ColumnUpper = upper, ColumnInteger = integer, RowLower = rowLower, RowUpper = rowUpper,
            RowColumns = columns, RowCoefficients = coefficients,
            ObjectiveColumns = objColumns, ObjectiveCoefficients = objCoefficients, ObjectiveOffset = offset,
            Settings = new SolveSettings(limit, specific, double.IsNaN(gap) ? null : gap, presolveOff, duals),
        };
    }

    public static void WriteReply(BinaryWriter w, SolveReply reply, bool needStructure = false)
    {
        w.Write(ReplyMagic);
        w.Write(needStructure ? NeedStructure : (int)reply.Status);
        w.Write(reply.Objective);
        w.Write(reply.BestBound);
        Doubles(w, reply.Values);
        Doubles(w, reply.Duals);
        w.Write(reply.Message ?? "");
        w.Flush();
    }

    /// <summary>Reads a reply; null when the worker asks for the structure.</summary>
    public static SolveReply? ReadReply(BinaryReader r)
    {
        if (r.ReadInt32() != ReplyMagic) throw new InvalidDataException("not a solve reply");
        int status = r.ReadInt32();
        double objective = r.ReadDouble();
        double bound = r.ReadDouble();
        var values = Doubles(r);
        var duals = Doubles(r);
        string message = r.ReadString();
        if (status == NeedStructure) return null;
        if (!Enum.IsDefined(typeof(SolveStatus), status)) throw new InvalidDataException($"unknown solve status {status}");
        return new SolveReply((SolveStatus)status, objective, bound, values, duals, message.Length == 0 ? null : message);
    }

    static int Length(BinaryReader r)
    {
        int n = r.ReadInt32();
        if (n < 0 || n > MaxLength) throw new InvalidDataException($"bad array length {n}");
        return n;
    }

    static void Doubles(BinaryWriter w, double[] a)
    {
        w.Write(a.Length);
        w.Write(MemoryMarshal.AsBytes(a.AsSpan()));
    }

    static void Ints(BinaryWriter w, int[] a)
    {
        w.Write(a.Length);
        w.Write(MemoryMarshal.AsBytes(a.AsSpan()));
    }

    static double[] Doubles(BinaryReader r)
    {
        var a = new double[Length(r)];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(a.AsSpan()));
        return a;
    }

    static int[] Ints(BinaryReader r)
    {
        var a = new int[Length(r)];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(a.AsSpan()));
        return a;
    }
}
