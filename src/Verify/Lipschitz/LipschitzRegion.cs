using System.Globalization;
using Verify.Graph;
using Verify.Spec;

namespace Verify.Lipschitz;

/// <summary>Where the input box of a Lipschitz analysis comes from: a VNNLIB property's boxes, or a centre file.</summary>
public static class LipschitzRegion
{
    /// <summary>The box of a VNNLIB property: the smallest box holding every case's input box.</summary>
    public static InputBox FromProperty(VnnProperty property) => InputBox.Hull(property.Cases.Select(c => c.Box).ToList());

    /// <summary>
    /// Reads a centre file: numbers separated by whitespace, commas or semicolons (any line layout); text after '#' on
    /// a line is a comment. Throws <see cref="VerifyException"/> naming the problem.
    /// </summary>
    public static double[] ReadCenter(string path, int expected)
    {
        if (!File.Exists(path)) throw new VerifyException($"centre file not found: {path}");
        var values = new List<double>();
        int line = 0;
        foreach (var raw in File.ReadLines(path))
        {
            line++;
            var text = raw.Split('#')[0];
            foreach (var token in text.Split(new[] { ' ', '\t', ',', ';', '\r' }, StringSplitOptions.RemoveEmptyEntries))
            {
                if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                    throw new VerifyException($"{path}:{line}: '{token}' is not a finite number");
                values.Add(v);
            }
        }
        if (values.Count != expected)
            throw new VerifyException($"{path}: {values.Count} numbers, but the network takes {expected} inputs");
        return values.ToArray();
    }
}
