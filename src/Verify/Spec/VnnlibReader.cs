using Dnf = System.Collections.Generic.List<System.Collections.Generic.List<Verify.Spec.VnnLiteral>>;

namespace Verify.Spec;

/// <summary>
/// Reads VNNLIB properties (the VNN-COMP subset of SMT-LIB): declarations <c>(declare-const X_i Real)</c> and
/// <c>(declare-const Y_j Real)</c>, and asserts that together describe the unsafe set. The conjunction of the asserts
/// becomes a <see cref="VnnProperty"/>: one case per distinct input box, each with the disjunction of unsafe output
/// conjunctions over that box. Every problem is a <see cref="VerifyException"/> naming file, line and column.
/// </summary>
public static class VnnlibReader
{
    static readonly HashSet<string> IgnoredCommands = new() { "set-logic", "set-info", "set-option", "check-sat", "get-model", "exit" };

    /// <summary>Reads a VNNLIB file for a network with the given numbers of inputs and outputs.</summary>
    /// <param name="path">The file; it is named as given in messages.</param>
    /// <param name="inputSize">Number of network inputs: the file must declare X_0 .. X_(inputSize-1).</param>
    /// <param name="outputSize">Number of network outputs: the file must declare Y_0 .. Y_(outputSize-1).</param>
    public static VnnProperty Load(string path, int inputSize, int outputSize)
    {
        if (!File.Exists(path)) throw new VerifyException($"property file not found: {path}");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VerifyException($"cannot read property file {path}: {e.Message}", e);
        }
        return Parse(text, path, inputSize, outputSize);
    }

    /// <summary>Reads VNNLIB text for a network with the given numbers of inputs and outputs.</summary>
    /// <param name="text">The VNNLIB text.</param>
    /// <param name="source">The name used in messages and as <see cref="VnnProperty.Source"/>.</param>
    /// <param name="inputSize">Number of network inputs: the text must declare X_0 .. X_(inputSize-1).</param>
    /// <param name="outputSize">Number of network outputs: the text must declare Y_0 .. Y_(outputSize-1).</param>
    public static VnnProperty Parse(string text, string source, int inputSize, int outputSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegative(outputSize);
        var forms = SExpressionReader.Parse(text, source);

        var declared = new Dictionary<VnnVariable, SList>();
        var asserts = new List<SList>();
        foreach (var form in forms)
        {
            if (form is not SList command || command.Head is not string head)
                throw form.Error($"expected a command such as (declare-const X_0 Real) or (assert ...), found {form.Abbreviated()}");
            if (head == "declare-const") Declare(command, declared);
            else if (head == "assert")
            {
                if (command.Count != 2)
                {
                    if (command.Items.Skip(1).FirstOrDefault(IsCommand) is SList nested)
                        throw nested.Error($"found ({nested.Head} ...) inside an assert: is a ')' missing before it?");
                    throw command.Error($"'assert' takes exactly one formula, found {command.Count - 1}");
                }
                asserts.Add(command);
            }
            else if (!IgnoredCommands.Contains(head))
                throw command.Items[0].Error($"unknown command '{head}': a VNNLIB file holds (declare-const ...) and (assert ...)");
        }
        CheckDeclarations(source, declared, isOutput: false, inputSize);
        CheckDeclarations(source, declared, isOutput: true, outputSize);

        void Resolve(SAtom atom, VnnVariable variable)
        {
            if (!declared.TryGetValue(variable, out var declaration))
            {
                int size = variable.IsOutput ? outputSize : inputSize;
                throw atom.Error($"{variable} is not declared (the network has {size} {VnnVariable.Kind(variable.IsOutput, size)}{Range(variable.IsOutput, size, ": ")})");
            }
            if (atom.IsBefore(declaration)) throw atom.Error($"{variable} is used before its declaration at {declaration.Position}");
        }

        // The asserts are conjoined: those with one disjunct are shared by every disjunct, the others multiply out.
        var formula = new VnnlibFormula(outputSize, Resolve);
        var shared = new List<VnnLiteral>();
        Dnf? product = null;
        foreach (var assert in asserts)
        {
            var dnf = formula.ToDnf(assert.Items[1]);
            if (dnf.Count == 1) shared.AddRange(dnf[0]);
            else product = product is null ? dnf : VnnlibFormula.And(product, dnf, assert);
        }
        var cases = new PropertyCaseBuilder(source, inputSize).Build(shared, product ?? new Dnf { new() });
        return new VnnProperty(cases, inputSize, outputSize, source);
    }

    static bool IsCommand(SExpression e) => e is SList { Head: "assert" or "declare-const" };

    static void Declare(SList command, Dictionary<VnnVariable, SList> declared)
    {
        if (command.Count != 3 || command.Items[1] is not SAtom name)
            throw command.Error($"expected (declare-const NAME Real), found {command.Abbreviated()}");
        if (!VnnVariable.TryParse(name.Text, out var variable))
            throw name.Error($"'{name.Text}' is not a VNNLIB variable: inputs are named X_0, X_1, ... and outputs Y_0, Y_1, ...");
        if (command.Items[2] is not SAtom { Text: "Real" })
            throw command.Items[2].Error($"{variable} is declared with sort '{command.Items[2].Abbreviated()}', expected Real");
        if (declared.TryGetValue(variable, out var first))
            throw command.Error($"{variable} is declared twice (first at {first.Position})");
        declared.Add(variable, command);
    }

    /// <summary>Checks that the declared inputs (or outputs) are exactly X_0 .. X_(size-1) (or Y_...).</summary>
    static void CheckDeclarations(string source, Dictionary<VnnVariable, SList> declared, bool isOutput, int size)
    {
        var indices = declared.Keys.Where(v => v.IsOutput == isOutput).Select(v => v.Index).Order().ToList();
        int n = indices.Count;
        string network = $"the network has {size} {VnnVariable.Kind(isOutput, size)}";
        if (n != size)
        {
            string what =
                n == 0 ? $"no {VnnVariable.Kind(isOutput, 2)}" :
                indices[^1] == n - 1 ? $"{n} {VnnVariable.Kind(isOutput, n)} {Range(isOutput, n, "")}" :
                $"{n} {VnnVariable.Kind(isOutput, n)} ({string.Join(", ", indices.Take(4).Select(i => VnnVariable.Name(isOutput, i)))}{(n > 4 ? ", ..." : "")})";
            throw new VerifyException($"{source}: the property declares {what} but {network}");
        }
        foreach (var (variable, declaration) in declared)
            if (variable.IsOutput == isOutput && variable.Index >= size)
                throw declaration.Items[1].Error($"{variable} is out of range: {network}{Range(isOutput, size, ", ")}");
    }

    /// <summary>"X_0..X_(n-1)" (or "X_0" when n = 1, nothing when n = 0), after a prefix.</summary>
    static string Range(bool isOutput, int n, string prefix) => n switch
    {
        0 => "",
        1 => prefix + VnnVariable.Name(isOutput, 0),
        _ => $"{prefix}{VnnVariable.Name(isOutput, 0)}..{VnnVariable.Name(isOutput, n - 1)}",
    };
}
