using System.Text.Json;
using System.Text.Json.Nodes;
using Verify.Lipschitz;
using Verify.Lipschitz.Sdp;

namespace Verify.Reports;

/// <summary>The JSON form of a Lipschitz analysis, for programs.</summary>
public static class LipschitzJson
{
    /// <summary>
    /// One object: model, region, overall sampled lower bound, and per method its overall <c>upper</c>, <c>lower</c>
    /// (the sampled bound), <c>gap</c>, <c>exact</c>, <c>seconds</c> and the per-output figures; the monotone pairs.
    /// Infinite values are written as strings ("Infinity"). With <paramref name="global"/>, a <c>lipsdp</c> method entry
    /// (global l2: <c>upper</c> the certified LipSDP-Neuron bound, <c>lower</c> the sampled ||J(x)||_2) and a
    /// <c>globalL2</c> object are added. Either part may be absent.
    /// </summary>
    public static string Write(LipschitzReport? report, string model, double[]? lower, double[]? upper, GlobalL2Report? global = null)
    {
        var methods = new JsonArray();
        var root = new JsonObject { ["model"] = model };
        if (report is not null && lower is not null && upper is not null) AddLocal(root, methods, report, lower, upper);
        if (global is not null)
        {
            methods.Add(new JsonObject
            {
                ["method"] = "lipsdp",
                ["norm"] = "l2->l2 (global)",
                ["upper"] = Num(global.Neuron.Upper),
                ["lower"] = Num(global.SampledLower),
                ["gap"] = Num(global.Neuron.Upper - global.SampledLower),
                ["exact"] = false,
                ["seconds"] = global.Neuron.Seconds,
            });
            root["globalL2"] = new JsonObject
            {
                ["neuron"] = Sdp(global.Neuron),
                ["layer"] = Sdp(global.Layer),
                ["naive"] = Num(global.Naive),
                ["sampledLower"] = Num(global.SampledLower),
                ["sampledPoints"] = global.SampledPoints,
            };
        }
        root["methods"] = methods;
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    static JsonNode? Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : JsonValue.Create(v.ToString(System.Globalization.CultureInfo.InvariantCulture));

    static JsonObject Sdp(LipSdpResult r) => new()
    {
        ["upper"] = Num(r.Upper),
        ["lpRelaxation"] = Num(r.LowerRelaxation),
        ["method"] = r.Method.ToString(),
        ["iterations"] = r.Iterations,
        ["seconds"] = r.Seconds,
    };

    static void AddLocal(JsonObject root, JsonArray methods, LipschitzReport report, double[] lower, double[] upper)
    {
        foreach (var m in report.Methods)
        {
            var per = new JsonArray();
            for (int a = 0; a < report.Outputs.Length; a++)
                per.Add(new JsonObject
                {
                    ["output"] = report.Outputs[a],
                    ["upper"] = Num(m.Upper[a]),
                    ["lower"] = Num(report.Lower[a]),
                    ["exact"] = m.Exact[a],
                });
            methods.Add(new JsonObject
            {
                ["method"] = m.Method.ToString().ToLowerInvariant(),
                ["upper"] = Num(m.OverallUpper),
                ["lower"] = Num(report.OverallLower),
                ["gap"] = Num(m.OverallUpper - report.OverallLower),
                ["exact"] = m.OverallExact,
                ["seconds"] = m.Seconds,
                ["detail"] = m.Detail,
                ["outputs"] = per,
            });
        }
        var local = new JsonObject
        {
            ["norm"] = "linf->linf (max_j ||grad f_j||_1)",
            ["region"] = new JsonObject { ["lower"] = new JsonArray(lower.Select(v => (JsonNode?)v).ToArray()), ["upper"] = new JsonArray(upper.Select(v => (JsonNode?)v).ToArray()) },
            ["lower"] = Num(report.OverallLower),
            ["samplingSeconds"] = report.SamplingSeconds,
            ["unstableNeurons"] = report.UnstableNeurons,
            ["monotone"] = new JsonArray(report.Monotone.Select(p => (JsonNode?)new JsonObject
            {
                ["output"] = p.Output, ["input"] = p.Input, ["lower"] = p.Lower, ["upper"] = p.Upper,
                ["direction"] = p.Increasing ? "increasing" : "decreasing",
            }).ToArray()),
        };
        foreach (var (key, value) in local.ToList())
        {
            local.Remove(key);
            root[key] = value;
        }
    }
}
