using System.Globalization;

namespace Verify.Spec;

/// <summary>A variable of a VNNLIB property: the input X_i or the output Y_j (indices in flattened C order).</summary>
/// <param name="IsOutput">True for Y_j, false for X_i.</param>
/// <param name="Index">The index i or j.</param>
internal readonly record struct VnnVariable(bool IsOutput, int Index)
{
    /// <summary>Reads a name X_i or Y_j (decimal index without sign or leading zeros); false for any other text.</summary>
    public static bool TryParse(string name, out VnnVariable variable)
    {
        variable = default;
        if (name.Length < 3 || name.Length > 11 || name[1] != '_' || (name[0] != 'X' && name[0] != 'Y')) return false;
        var digits = name.AsSpan(2);
        foreach (char d in digits)
            if (d is < '0' or > '9') return false;
        if (digits.Length > 1 && digits[0] == '0') return false;
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int index)) return false;
        variable = new VnnVariable(name[0] == 'Y', index);
        return true;
    }

    /// <summary>"inputs" or "outputs" (or the singular for a count of one).</summary>
    public static string Kind(bool isOutput, int count) => (isOutput ? "output" : "input") + (count == 1 ? "" : "s");

    /// <summary>The name "X_i" or "Y_j" for an index.</summary>
    public static string Name(bool isOutput, int index) => (isOutput ? "Y_" : "X_") + index.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public override string ToString() => Name(IsOutput, Index);
}
