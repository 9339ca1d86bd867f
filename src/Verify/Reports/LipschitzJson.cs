using System.Text.Json;
using System.Text.Json.Nodes;
using Verify.Lipschitz;

namespace Verify.Reports;

/// <summary>The JSON form of a Lipschitz analysis, for programs.</summary>
public static class LipschitzJson
{
    /// <summary>
    /// One object: model, region, overall sampled lower bound, and per method its overall <c>upper</c>, <c>lower</c>
    /// (the sampled bound), <c>gap</c>, <c>exact</c>, <c>seconds</c> and the per-output figures; the monotone pairs.
    /// Infinite values are written as strings ("Infinity").
    /// </summary>
    public static string Write(LipschitzReport report, string model, double[] lower, double[] upper)
    {
        JsonNode? Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : JsonValue.Create(v.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var methods = new JsonArray();
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
        var root = new JsonObject
        {
            ["model"] = model,
            ["norm"] = "linf->linf (max_j ||grad f_j||_1)",
            ["region"] = new JsonObject { ["lower"] = new JsonArray(lower.Select(v => (JsonNode?)v).ToArray()), ["upper"] = new JsonArray(upper.Select(v => (JsonNode?)v).ToArray()) },
            ["lower"] = Num(report.OverallLower),
            ["samplingSeconds"] = report.SamplingSeconds,
            ["unstableNeurons"] = report.UnstableNeurons,
            ["methods"] = methods,
            ["monotone"] = new JsonArray(report.Monotone.Select(p => (JsonNode?)new JsonObject
            {
                ["output"] = p.Output, ["input"] = p.Input, ["lower"] = p.Lower, ["upper"] = p.Upper,
                ["direction"] = p.Increasing ? "increasing" : "decreasing",
            }).ToArray()),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
