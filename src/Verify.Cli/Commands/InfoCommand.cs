using System.CommandLine;
using Spectre.Console;
using Verify.Import;
using Verify.Reports;

namespace Verify.Cli.Commands;

/// <summary>`verify info MODEL`: operators, shapes, parameter counts, support.</summary>
public static class InfoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "ONNX network" };
        var cmd = new Command("info", "List a network's operators, shapes and parameter counts, and whether each operator is supported.") { model };
        cmd.SetAction(parse =>
        {
            var path = parse.GetValue(model)!;
            if (!File.Exists(path)) throw new VerifyException($"model file not found: {path}");
            var proto = OnnxModelReader.Load(path);
            var onnx = new Table().Border(TableBorder.Rounded).Title($"ONNX nodes of {Markup.Escape(Path.GetFileName(path))}");
            onnx.AddColumns("#", "node", "op type", "supported");
            int k = 0;
            foreach (var n in proto.Graph.Node)
                onnx.AddRow((k++).ToString(), Markup.Escape(n.Name), Markup.Escape(n.OpType),
                    OnnxImporter.IsSupported(n.OpType) ? "[green]yes[/]" : "[red]no[/]");
            AnsiConsole.Write(onnx);
            Verify.Graph.ComputationGraph graph;
            try
            {
                graph = OnnxImporter.Import(proto, path);
            }
            catch (VerifyException e)
            {
                AnsiConsole.MarkupLine($"[red]not verifiable as it is:[/] {Markup.Escape(e.Message)}");
                return 0;
            }
            var t = new Table().Border(TableBorder.Rounded).Title("graph after import (constants folded)");
            t.AddColumns("#", "node", "operator", "inputs", "output shape", "parameters");
            foreach (var n in graph.Nodes)
                t.AddRow(n.Index.ToString(), Markup.Escape(n.Name), n.Op.OpType, string.Join(",", n.Inputs),
                    $"[[{string.Join(", ", n.Shape)}]]", n.Op.ParameterCount.ToString());
            AnsiConsole.Write(t);
            var s = NetworkSummary.Of(graph);
            AnsiConsole.MarkupLine($"input [[{string.Join(", ", s.InputShape)}]] → output [[{string.Join(", ", s.OutputShape)}]]; " +
                $"{s.Layers} layers, {s.Neurons} nonlinear neurons, {s.Parameters} parameters");
            return 0;
        });
        return cmd;
    }
}
