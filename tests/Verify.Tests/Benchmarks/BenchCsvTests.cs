using Verify.Benchmarks;

namespace Verify.Tests.Benchmarks;

/// <summary>The bench CSV: complete flushed lines, resumed after its complete rows with a partial last line cut off.</summary>
public class BenchCsvTests
{
    const string Header = "benchmark,onnx,vnnlib,result,time_s,peak_rss_mib";

    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-benchcsv-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    static InstanceOutcome Outcome(string vnnlib, string result, double seconds) =>
        new(new BenchmarkInstance("mnistfc", "/data/net.onnx", "/data/" + vnnlib, 60), result, seconds, null, "");

    /// <summary>The file's text as another process sees it while the writer still holds it open.</summary>
    static string Read(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(s).ReadToEnd();
    }

    [Test]
    public void EveryAppendedRowIsOnDiskAsACompleteLineAtOnce()
    {
        var path = Path.Combine(dir, "out.csv");
        using var csv = BenchCsv.Create(path);
        Assert.That(Read(path), Is.EqualTo(Header + "\n"));
        csv.Append(Outcome("p1.vnnlib", "unsat", 1.25));
        Assert.That(Read(path), Is.EqualTo(Header + "\nmnistfc,net.onnx,p1.vnnlib,unsat,1.250,\n"));
    }

    [Test]
    public void ResumeCutsOffAPartialLastLineAndAppendsAfterTheCompleteRows()
    {
        var path = Path.Combine(dir, "out.csv");
        File.WriteAllText(path, Header + "\nmnistfc,net.onnx,p1.vnnlib,sat,2.500\nmnistfc,net.onnx,p2.vn");
        using (var csv = BenchCsv.Resume(path))
        {
            Assert.That(csv.Previous, Is.EqualTo(new[] { new ResultRow("mnistfc", "net.onnx", "p1.vnnlib", "sat", 2.5, double.NaN, path) }));
            csv.Append(Outcome("p2.vnnlib", "timeout", 3));
        }
        Assert.That(File.ReadAllText(path), Is.EqualTo(Header + "\nmnistfc,net.onnx,p1.vnnlib,sat,2.500\nmnistfc,net.onnx,p2.vnnlib,timeout,3.000,\n"));
    }

    [Test]
    public void ResumeOfAnAbsentFileStartsItWithTheHeader()
    {
        var path = Path.Combine(dir, "new.csv");
        using (var csv = BenchCsv.Resume(path)) Assert.That(csv.Previous, Is.Empty);
        Assert.That(File.ReadAllText(path), Is.EqualTo(Header + "\n"));
    }

    [Test]
    public void ResumeOfAFileKilledInItsHeaderStartsAgain()
    {
        var path = Path.Combine(dir, "cut.csv");
        File.WriteAllText(path, "benchmark,onnx,vn");
        using (var csv = BenchCsv.Resume(path)) Assert.That(csv.Previous, Is.Empty);
        Assert.That(File.ReadAllText(path), Is.EqualTo(Header + "\n"));
    }

    [Test]
    public void ResumeOfAnotherCsvIsAUserErrorAndLeavesItAlone()
    {
        var path = Path.Combine(dir, "other.csv");
        File.WriteAllText(path, "onnx,vnnlib,timeout\na.onnx,b.vnnlib,60\n");
        Assert.That(() => BenchCsv.Resume(path), Throws.TypeOf<VerifyException>().With.Message.Contains("not a bench CSV"));
        Assert.That(File.ReadAllText(path), Is.EqualTo("onnx,vnnlib,timeout\na.onnx,b.vnnlib,60\n"));
    }

    [Test]
    public void ResumedRowsMatchTheirInstancesAndExpectedVerdicts()
    {
        var expected = Path.Combine(dir, "expected.csv");
        File.WriteAllText(expected, "benchmark,onnx,vnnlib,verdict\nmnistfc,net.onnx,p1.vnnlib,unsat\n");
        var truth = ExpectedVerdicts.Load(expected);
        var instance = new BenchmarkInstance("mnistfc", "/data/net.onnx", "/data/p1.vnnlib", 60);
        var o = new ResultRow("mnistfc", "net.onnx", "p1.vnnlib", "sat", 2.5, double.NaN, "earlier.csv").ToOutcome(instance, truth);
        Assert.That((o.Instance, o.Expected, o.Wrong, o.Seconds), Is.EqualTo((instance, "unsat", true, 2.5)));
        Assert.That(new ResultRow("mnistfc", "net.onnx", "p1.vnnlib", "sat", 2.5, double.NaN, "earlier.csv").Key, Is.EqualTo(instance.Key));
    }
}
