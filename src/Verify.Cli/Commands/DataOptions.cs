using System.CommandLine;
using TorchSharp;
using Verify.Training.Data;
using static TorchSharp.torch;

namespace Verify.Cli.Commands;

/// <summary>Options naming the dataset and where it is: --dataset, --data-dir, --download, --download-base, --device.</summary>
public sealed class DataOptions
{
    /// <summary>--dataset (mnist).</summary>
    public Option<string> Dataset { get; } = new("--dataset") { Description = "Dataset (mnist)", DefaultValueFactory = _ => "mnist" };

    /// <summary>--data-dir.</summary>
    public Option<string?> DataDir { get; } = new("--data-dir") { Description = $"Folder of the IDX files (default: ${DataLocator.EnvironmentVariable}, else {DataLocator.CacheFolder()})" };

    /// <summary>--download.</summary>
    public Option<bool> Download { get; } = new("--download") { Description = "Download the files missing from the data folder (SHA-256 checked)" };

    /// <summary>--download-base.</summary>
    public Option<string> DownloadBase { get; } = new("--download-base") { Description = "Base address of the download", DefaultValueFactory = _ => DownloadOptions.DefaultBase };

    /// <summary>--device.</summary>
    public Option<string> Device { get; } = new("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };

    /// <summary>--threads.</summary>
    public Option<int> Threads { get; } = new("--threads") { Description = "Intra-op threads of TorchSharp (0: its default)", DefaultValueFactory = _ => 0 };

    /// <summary>Creates the options.</summary>
    public DataOptions()
    {
        Dataset.AcceptOnlyFromAmong("mnist");
        Device.AcceptOnlyFromAmong("cpu", "cuda");
    }

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Dataset, DataDir, Download, DownloadBase, Device, Threads }) command.Options.Add(o);
    }

    /// <summary>The device asked for (a user error when CUDA is absent); sets the thread count.</summary>
    public Device DeviceOf(ParseResult parse)
    {
        if (parse.GetValue(Threads) is > 0 and var t) torch.set_num_threads(t);
        if (parse.GetValue(Device) == "cuda")
        {
            if (!torch.cuda.is_available()) throw new VerifyException("CUDA is not available on this machine");
            return torch.CUDA;
        }
        return torch.CPU;
    }

    /// <summary>The data folder, downloading into it first when asked.</summary>
    public string Folder(ParseResult parse)
    {
        var dir = DataLocator.Resolve(parse.GetValue(DataDir));
        if (parse.GetValue(Download) && !MnistIdx.Present(dir))
            MnistDownloader.Download(dir, new DownloadOptions(parse.GetValue(DownloadBase)!), Console.WriteLine);
        return dir;
    }
}
