using System.CommandLine;
using TorchSharp;
using static TorchSharp.torch;

namespace Verify.Cli.Commands;

/// <summary>Options shared by the commands that run the engine.</summary>
public sealed class CommonOptions
{
    /// <summary>--device cpu|cuda.</summary>
    public Option<string?> Device { get; } = new("--device") { Description = "cpu or cuda (default: cuda when available, else cpu)" };

    /// <summary>--precision float32|float64.</summary>
    public Option<string> Precision { get; } = new("--precision")
    {
        Description = "Floating precision of the bound computations",
        DefaultValueFactory = _ => "float32",
    };

    /// <summary>Creates the options with their accepted values.</summary>
    public CommonOptions()
    {
        Device.AcceptOnlyFromAmong("cpu", "cuda");
        Precision.AcceptOnlyFromAmong("float32", "float64");
    }

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Device);
        command.Options.Add(Precision);
    }

    /// <summary>The device asked for; a user error when CUDA is asked for but absent.</summary>
    public Device DeviceOf(ParseResult parse)
    {
        var name = parse.GetValue(Device);
        if (name is null) return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        if (name == "cuda" && !torch.cuda.is_available())
            throw new VerifyException("CUDA is not available on this machine (this build uses the TorchBackend it was built with; build with -p:TorchBackend=cuda on a machine with CUDA).");
        return name == "cuda" ? torch.CUDA : torch.CPU;
    }

    /// <summary>The dtype asked for.</summary>
    public ScalarType DTypeOf(ParseResult parse) =>
        parse.GetValue(Precision) == "float64" ? ScalarType.Float64 : ScalarType.Float32;
}
