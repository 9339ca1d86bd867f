using System.Text.Json;
using System.Text.Json.Nodes;
using Verify.Verification;

namespace Verify.Reports;

/// <summary>The facts of a check as JSON, for programs.</summary>
public static class JsonReport
{
    /// <summary>JSON text for a check of <paramref name="model"/> against <paramref name="spec"/> run with the named <paramref name="preset"/>.</summary>
    public static string Format(string model, string spec, NetworkSummary network, VerificationResult result, string? preset = null)
    {
        static JsonNode? Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : JsonValue.Create(v.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var root = new JsonObject
        {
            ["model"] = model,
            ["spec"] = spec,
            ["preset"] = preset,
            ["result"] = VnncompResult.Word(result.Verdict),
            ["verdict"] = result.Verdict.ToString().ToLowerInvariant(),
            ["reason"] = result.Reason,
            ["network"] = new JsonObject
            {
                ["input_shape"] = new JsonArray(network.InputShape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                ["output_shape"] = new JsonArray(network.OutputShape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                ["layers"] = network.Layers,
                ["neurons"] = network.Neurons,
                ["parameters"] = network.Parameters,
            },
            ["methods"] = new JsonArray(result.Bounds.Select(b => (JsonNode?)new JsonObject
            {
                ["method"] = b.Method,
                ["proved"] = b.Proved,
                ["seconds"] = b.Seconds,
                ["disjunct_lower_bounds"] = new JsonArray(b.DisjunctLower.Select(c =>
                    (JsonNode?)new JsonArray(c.Select(Num).ToArray())).ToArray()),
            }).ToArray()),
            ["branch_and_bound"] = result.BranchAndBound is { } bab ? new JsonObject
            {
                ["status"] = bab.Status.ToString().ToLowerInvariant(),
                ["domains"] = bab.Domains,
                ["steps"] = bab.Steps,
                ["reason"] = bab.Reason,
            } : null,
            ["attack_seconds"] = result.AttackSeconds,
            ["seconds"] = result.TotalSeconds,
        };
        if (result.Counterexample is { } cex)
            root["counterexample"] = new JsonObject
            {
                ["case"] = cex.Case,
                ["disjunct"] = cex.Disjunct,
                ["input"] = new JsonArray(cex.Input.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
                ["output"] = new JsonArray(cex.Output.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
            };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
