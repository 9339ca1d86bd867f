using System.CommandLine;
using Verify.Training.Lipschitz;
using Verify.Training.Methods;
using Verify.Training.Models;

namespace Verify.Cli.Commands;

/// <summary>
/// The Lipschitz flags of `verify train`: --lipschitz (an LBDN's γ), --l2-radius, --train-radius, --temperature,
/// --spectral-norm, --spectral-method, --spectral-lr, --spectral-directions; with their one-line checks.
/// </summary>
public sealed class LipschitzTrainOptions
{
    /// <summary>--lipschitz.</summary>
    public Option<double?> Lipschitz { get; } = new("--lipschitz") { Description = "l2 Lipschitz bound gamma of an LBDN model (lbdn-mlp, lbdn-cnn; default 1)" };

    /// <summary>--widths.</summary>
    public Option<string?> Widths { get; } = new("--widths") { Description = "Comma-separated hidden widths of an LBDN model's fully connected layers (default: 512,512,256; lbdn-cnn: 256,128)" };

    /// <summary>--load.</summary>
    public Option<string?> Load { get; } = new("--load") { Description = "LBDN only: load this checkpoint.bin (same --widths, --lipschitz) instead of training, then evaluate and export it" };

    /// <summary>--l2-radius.</summary>
    public Option<double> Radius { get; } = new("--l2-radius") { Description = "l2 radius of the evaluation (LBDN, --spectral-norm)", DefaultValueFactory = _ => 1.58 };

    /// <summary>--train-radius.</summary>
    public Option<double?> TrainRadius { get; } = new("--train-radius") { Description = "l2 radius whose certifying margin sqrt(2)*L*r offsets the cross-entropy (default: --l2-radius; 0: plain cross-entropy at --temperature)" };

    /// <summary>--temperature.</summary>
    public Option<double> Temperature { get; } = new("--temperature") { Description = "Temperature of the margin cross-entropy", DefaultValueFactory = _ => 0.25 };

    /// <summary>--spectral-norm.</summary>
    public Option<double?> SpectralNorm { get; } = new("--spectral-norm") { Description = "Keep every layer's spectral norm <= S (mlp, cnn-small, ...; no BatchNorm); the product is the l2 certificate" };

    /// <summary>--spectral-method.</summary>
    public Option<string> SpectralMethod { get; } = new("--spectral-method") { Description = "power (spectral normalisation: W / max(1, sigma/S), sigma by power iteration), orthogonal (orthogonalised updates, Newhouse et al. 2025) or projection (W <- W*S/sigma after each Adam step; trains badly, kept for comparison)", DefaultValueFactory = _ => "power" };

    /// <summary>--spectral-lr.</summary>
    public Option<double> SpectralLr { get; } = new("--spectral-lr") { Description = "Step size of the orthogonalised updates", DefaultValueFactory = _ => 0.02 };

    /// <summary>--spectral-directions.</summary>
    public Option<int> SpectralDirections { get; } = new("--spectral-directions") { Description = "Directions each layer's power iteration tracks (1 = Miyato's single vector)", DefaultValueFactory = _ => Verify.Training.Lipschitz.LayerOperator.DefaultDirections };

    /// <summary>Creates the options.</summary>
    public LipschitzTrainOptions() => SpectralMethod.AcceptOnlyFromAmong("power", "orthogonal", "projection");

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Lipschitz, Widths, Load, Radius, TrainRadius, Temperature, SpectralNorm, SpectralMethod, SpectralLr, SpectralDirections }) command.Options.Add(o);
    }

    /// <summary>Checks the flags against the model and method (one-line <see cref="VerifyException"/>s).</summary>
    public void Validate(ParseResult parse, string model, TrainingMethod method, bool batchNorm)
    {
        bool lbdn = LbdnZoo.IsLbdn(model);
        if (parse.GetValue(Lipschitz) is { } g)
        {
            if (!lbdn) throw new VerifyException($"--lipschitz sets the bound of an LBDN model ({string.Join(", ", LbdnZoo.Names)}), not of '{model}'; use --spectral-norm for it");
            if (!(g > 0) || !double.IsFinite(g)) throw new VerifyException($"--lipschitz must be positive and finite, got {g}");
        }
        if (!lbdn && parse.GetValue(Widths) is not null) throw new VerifyException("--widths sets the hidden widths of an LBDN model");
        if (parse.GetValue(Load) is { } load && (!lbdn || !File.Exists(load)))
            throw new VerifyException(lbdn ? $"checkpoint not found: {load}" : "--load is for LBDN models");
        WidthsOf(parse, model);
        if (lbdn && method is not (TrainingMethod.Natural or TrainingMethod.Pgd))
            throw new VerifyException($"LBDN models train by --method natural or pgd, not {method}");
        if (parse.GetValue(SpectralNorm) is { } s)
        {
            if (lbdn) throw new VerifyException("--spectral-norm applies to mlp/cnn models; LBDN models are Lipschitz by construction (--lipschitz)");
            if (!(s > 0) || !double.IsFinite(s)) throw new VerifyException($"--spectral-norm must be positive and finite, got {s}");
            if (method is not (TrainingMethod.Natural or TrainingMethod.Pgd))
                throw new VerifyException($"--spectral-norm trains by --method natural or pgd, not {method}");
            if (batchNorm) throw new VerifyException("--spectral-norm cannot be combined with BatchNorm (its scaling is not constrained)");
        }
        if (!(parse.GetValue(Radius) >= 0) || !double.IsFinite(parse.GetValue(Radius))) throw new VerifyException($"--l2-radius must be non-negative, got {parse.GetValue(Radius)}");
        if (parse.GetValue(TrainRadius) is { } tr && !(tr >= 0)) throw new VerifyException($"--train-radius must be non-negative, got {tr}");
        if (!(parse.GetValue(Temperature) > 0)) throw new VerifyException($"--temperature must be positive, got {parse.GetValue(Temperature)}");
        if (parse.GetValue(SpectralDirections) is < 1 or > 64) throw new VerifyException($"--spectral-directions must be in 1..64, got {parse.GetValue(SpectralDirections)}");
        if (!(parse.GetValue(SpectralLr) > 0)) throw new VerifyException($"--spectral-lr must be positive, got {parse.GetValue(SpectralLr)}");
    }

    /// <summary>The LBDN hidden widths (default <see cref="LbdnZoo.DefaultWidths"/> of the model).</summary>
    public long[] WidthsOf(ParseResult parse, string model)
    {
        var text = parse.GetValue(Widths);
        if (string.IsNullOrWhiteSpace(text)) return LbdnZoo.DefaultWidths(model);
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => long.TryParse(v, out var w) && w >= 10 && w <= 8192 ? w : throw new VerifyException($"--widths: not a width in 10..8192: '{v}'")).ToArray();
    }

    /// <summary>Whether the run is spectrally constrained.</summary>
    public bool Spectral(ParseResult parse) => parse.GetValue(SpectralNorm) is not null;

    /// <summary>The training radius (default: the evaluation radius).</summary>
    public double TrainRadiusOf(ParseResult parse) => parse.GetValue(TrainRadius) ?? parse.GetValue(Radius);

    /// <summary>Adds the spectral constraint and margin loss to an mlp/cnn run's options (unchanged without --spectral-norm).</summary>
    public TrainOptions Apply(ParseResult parse, TrainOptions options, int constrainedLayers)
    {
        if (parse.GetValue(SpectralNorm) is not { } s) return options;
        double bound = Math.Pow(s, constrainedLayers);
        return options with
        {
            SpectralNorm = s,
            SpectralMethod = parse.GetValue(SpectralMethod) switch
            {
                "orthogonal" => Verify.Training.Lipschitz.SpectralMethod.Orthogonalized,
                "projection" => Verify.Training.Lipschitz.SpectralMethod.Projection,
                _ => Verify.Training.Lipschitz.SpectralMethod.PowerIteration,
            },
            SpectralLearningRate = parse.GetValue(SpectralLr),
            SpectralDirections = parse.GetValue(SpectralDirections),
            Margin = MarginLoss.For(bound, TrainRadiusOf(parse), parse.GetValue(Temperature)),
        };
    }
}
