using System.CommandLine;
using Spectre.Console;
using Verify.Bounds;
using Verify.Graph;
using Verify.Reports;
using Verify.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Cli.Commands;

/// <summary>`verify bounds MODEL SPEC --method ibp|crown`: bounds of every output and of the spec's margins.</summary>
public static class BoundsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "ONNX network" };
        var spec = new Argument<string>("spec") { Description = "VNNLIB property giving the input region (and the margins)" };
        var method = new Option<string>("--method") { Description = "ibp or crown", DefaultValueFactory = _ => "crown" };
        method.AcceptOnlyFromAmong("ibp", "crown");
        var common = new CommonOptions();
        var cmd = new Command("bounds", "Print lower and upper bounds of every output and of the property's margins.") { model, spec, method };
        common.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var graph0 = Inputs.Model(parse.GetValue(model)!);
            var property = Inputs.Property(parse.GetValue(spec)!, graph0);
            var m = parse.GetValue(method) == "ibp" ? BoundMethod.Ibp : BoundMethod.Crown;
            var device = common.DeviceOf(parse);
            var dtype = common.DTypeOf(parse);
            using var scope = torch.NewDisposeScope();
            var graph = graph0.To(device, dtype);
            var batch = SpecBatch.From(property, device, dtype);
            var bounds = BoundComputer.Intermediate(graph, new IntervalBounds(batch.Lower, batch.Upper), new BoundOptions(m));
            var outputs = BoundComputer.OutputBounds(graph, bounds, m);
            var margins = batch.DisjunctLower(BoundComputer.SpecLower(graph, bounds, batch.C, batch.Bias, m));
            var lo = ToRows(outputs.Lower);
            var hi = ToRows(outputs.Upper);
            var dl = ToRows(margins);
            for (int c = 0; c < property.Cases.Count; c++)
            {
                var table = new Table().Title($"case {c}: output bounds ({m.ToString().ToUpperInvariant()})");
                table.AddColumns("output", "lower", "upper");
                for (int i = 0; i < lo[c].Length; i++)
                    table.AddRow($"Y_{i}", ConsoleReport.F(lo[c][i]), ConsoleReport.F(hi[c][i]));
                AnsiConsole.Write(table);
                var mt = new Table().Title($"case {c}: lower bound of each disjunct's margin (> 0 refutes it)");
                mt.AddColumns("disjunct", "lower bound");
                for (int d = 0; d < property.Cases[c].Disjuncts.Count; d++)
                    mt.AddRow(d.ToString(), ConsoleReport.F(dl[c][d]));
                AnsiConsole.Write(mt);
            }
            return 0;
        });
        return cmd;
    }

    static double[][] ToRows(Tensor t)
    {
        var cpu = t.to(ScalarType.Float64).cpu();
        var flat = cpu.data<double>().ToArray();
        int rows = (int)cpu.shape[0], cols = (int)(flat.Length / Math.Max(1, rows));
        return Enumerable.Range(0, rows).Select(r => flat.Skip(r * cols).Take(cols).ToArray()).ToArray();
    }
}
