using System.CommandLine;
using Verify.Training.Convex;
using Verify.Training.Data;
using Verify.Training.Methods;

namespace Verify.Cli.Commands;

/// <summary>
/// The options `verify train` has for one-hidden-layer binary tasks and convex robust training (--neurons, --classes,
/// --convex-loss, --convex-solver, --beta, --penalty) and for CROWN-IBP's --loss-fusion, with their checks.
/// </summary>
public sealed class ConvexTrainOptions
{
    /// <summary>--neurons.</summary>
    public Option<int> Neurons { get; } = new("--neurons") { Description = "Hidden neurons of --model one-hidden", DefaultValueFactory = _ => 100 };
    /// <summary>--classes.</summary>
    public Option<string?> Classes { get; } = new("--classes") { Description = "Two digits A,B: a binary task (label 0 for A, 1 for B); needs --model one-hidden" };
    /// <summary>--convex-loss.</summary>
    public Option<string> Loss { get; } = new("--convex-loss") { Description = "convex-robust: hinge or squared", DefaultValueFactory = _ => "hinge" };
    /// <summary>--convex-solver.</summary>
    public Option<string> Solver { get; } = new("--convex-solver") { Description = "convex-robust: first-order (Adam with an exact penalty), glop or pdlp (the LP; small problems only)", DefaultValueFactory = _ => "first-order" };
    /// <summary>--beta.</summary>
    public Option<double> Beta { get; } = new("--beta") { Description = "convex-robust: weight of the l1 regulariser", DefaultValueFactory = _ => 1e-4 };
    /// <summary>--penalty.</summary>
    public Option<double> Penalty { get; } = new("--penalty") { Description = "convex-robust: weight of the penalty on the pattern constraints (first-order)", DefaultValueFactory = _ => 10 };
    /// <summary>--pattern-rounds.</summary>
    public Option<int> Rounds { get; } = new("--pattern-rounds") { Description = "convex-robust: solves, each after the first with the patterns of the previous solution", DefaultValueFactory = _ => 1 };
    /// <summary>--loss-fusion.</summary>
    public Option<bool> LossFusion { get; } = new("--loss-fusion") { Description = "crown-ibp: bound the cross-entropy directly (one backward pass for all classes)" };

    /// <summary>Sets the accepted values.</summary>
    public ConvexTrainOptions()
    {
        Loss.AcceptOnlyFromAmong("hinge", "squared");
        Solver.AcceptOnlyFromAmong("first-order", "glop", "pdlp");
    }

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Neurons, Classes, Loss, Solver, Beta, Penalty, Rounds, LossFusion }) command.Options.Add(o);
    }

    /// <summary>The binary task (null: all ten digits) after checking the combination of method, model and these options.</summary>
    public BinaryTask? Check(ParseResult parse, string method, string model)
    {
        var task = parse.GetValue(Classes) is { } c ? BinaryTask.Parse(c) : null;
        bool oneHidden = model == OneHiddenNetwork.Name;
        if (oneHidden && parse.GetValue(Neurons) < 1) throw new VerifyException($"--neurons must be at least 1, got {parse.GetValue(Neurons)}");
        if (method == "convex-robust")
        {
            if (!oneHidden) throw new VerifyException($"--method convex-robust trains --model {OneHiddenNetwork.Name} only, got --model {model}");
            if (task is null) throw new VerifyException("--method convex-robust needs --classes A,B (a binary task, e.g. 3,8)");
            if (parse.GetValue(Loss) == "squared" && parse.GetValue(Solver) != "first-order")
                throw new VerifyException("--convex-loss squared needs --convex-solver first-order (the LP form is the hinge loss)");
        }
        if (task is not null && !oneHidden) throw new VerifyException($"--classes needs --model {OneHiddenNetwork.Name}");
        if (parse.GetValue(LossFusion) && method != "crown-ibp") throw new VerifyException("--loss-fusion applies to --method crown-ibp only");
        if (parse.GetValue(Beta) < 0 || parse.GetValue(Penalty) < 0) throw new VerifyException("--beta and --penalty must not be negative");
        return task;
    }

    /// <summary>The convex run asked for, from the parsed options and the common training options.</summary>
    public ConvexTrainRequest Request(ParseResult parse, TrainOptions common, BinaryTask task, ImageSet train, ImageSet test, string output)
    {
        if (common.TrainLimit > 0) train = train.Take(common.TrainLimit);
        var options = new ConvexOptions
        {
            Neurons = parse.GetValue(Neurons), Eps = common.TrainEps, Beta = parse.GetValue(Beta),
            Loss = parse.GetValue(Loss) == "squared" ? ConvexLoss.Squared : ConvexLoss.Hinge, Regularizer = ConvexRegularizer.L1,
            Epochs = common.Epochs, BatchSize = common.BatchSize, LearningRate = common.LearningRate, Penalty = parse.GetValue(Penalty), Seed = common.Seed,
            PatternRounds = parse.GetValue(Rounds),
        };
        return new ConvexTrainRequest(options, task, parse.GetValue(Solver)!, train, test, output, common.EvalCount, common.EvalPgdSteps);
    }
}
