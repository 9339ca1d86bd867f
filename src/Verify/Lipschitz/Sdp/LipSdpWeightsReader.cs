using System.Text.Json;

namespace Verify.Lipschitz.Sdp;

/// <summary>
/// Reads the LipSDP JSON weights format: an object whose <c>weights</c> holds the matrices W_0 .. W_l (W_k shaped
/// [out, in]) of the bias-free network f(x) = W_l relu(… relu(W_0 x)).
/// </summary>
public static class LipSdpWeightsReader
{
    /// <summary>Reads a weights file; throws <see cref="VerifyException"/> naming the problem when it is malformed.</summary>
    public static DenseNetwork Read(string path)
    {
        if (!File.Exists(path)) throw new VerifyException($"LipSDP weights file '{path}' not found");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses the JSON text of a weights file (<paramref name="source"/> names it in error messages).</summary>
    public static DenseNetwork Parse(string json, string source = "weights")
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new VerifyException($"{source}: not valid JSON ({e.Message})", e); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("weights", out var list))
                throw new VerifyException($"{source}: expected an object with a 'weights' array of matrices");
            if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
                throw new VerifyException($"{source}: 'weights' must be a non-empty array of matrices");
            var weights = new List<double[,]>();
            int k = 0;
            foreach (var m in list.EnumerateArray())
            {
                var w = ReadMatrix(m, $"{source}: weights[{k}]");
                if (weights.Count > 0 && w.GetLength(1) != weights[^1].GetLength(0))
                    throw new VerifyException($"{source}: weights[{k}] has {w.GetLength(1)} columns but weights[{k - 1}] has {weights[^1].GetLength(0)} rows (W_k is [out, in])");
                weights.Add(w);
                k++;
            }
            return DenseNetwork.FromWeights(weights);
        }
    }

    static double[,] ReadMatrix(JsonElement m, string name)
    {
        if (m.ValueKind != JsonValueKind.Array || m.GetArrayLength() == 0)
            throw new VerifyException($"{name} must be a non-empty array of rows");
        int rows = m.GetArrayLength(), cols = -1, i = 0;
        double[,]? w = null;
        foreach (var row in m.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() == 0)
                throw new VerifyException($"{name}, row {i}: expected a non-empty array of numbers");
            if (cols < 0) { cols = row.GetArrayLength(); w = new double[rows, cols]; }
            else if (row.GetArrayLength() != cols)
                throw new VerifyException($"{name}, row {i}: has {row.GetArrayLength()} entries, row 0 has {cols}");
            int j = 0;
            foreach (var x in row.EnumerateArray())
            {
                if (x.ValueKind != JsonValueKind.Number || !x.TryGetDouble(out var v) || !double.IsFinite(v))
                    throw new VerifyException($"{name}, row {i}, column {j}: '{x}' is not a finite number");
                w![i, j++] = v;
            }
            i++;
        }
        return w!;
    }
}
