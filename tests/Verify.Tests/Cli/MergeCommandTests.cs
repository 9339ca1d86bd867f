using Verify.Tests.Support;

namespace Verify.Tests.Cli;

/// <summary>`verify merge` as a user runs it: exit 0 when complete, 3 on a conflict, 4 when instances are missing.</summary>
public class MergeCommandTests
{
    string dir = "";

    [SetUp]
    public void CreateDir() => dir = Directory.CreateTempSubdirectory("verify-merge-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(dir, true);

    const string Header = "benchmark,onnx,vnnlib,result,time_s,peak_rss_mib\n";

    string Write(string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    string Instances() => Write("list.txt", "n.onnx,p1.vnnlib,60\nn.onnx,p2.vnnlib,60\nn.onnx,p3.vnnlib,60\n");

    [Test]
    public void CompleteShardsMergeIntoOneCsvAndSummary()
    {
        Directory.CreateDirectory(Path.Combine(dir, "out"));
        File.WriteAllText(Path.Combine(dir, "out", "s0.csv"), Header + $"{Path.GetFileName(dir)},n.onnx,p2.vnnlib,sat,1.000,300\n");
        File.WriteAllText(Path.Combine(dir, "out", "s1.csv"), Header + $"{Path.GetFileName(dir)},n.onnx,p1.vnnlib,unsat,2.000,400\n{Path.GetFileName(dir)},n.onnx,p3.vnnlib,timeout,60.000,350\n");
        var merged = Path.Combine(dir, "merged.csv");
        var o = CliRunner.Run("merge", Path.Combine(dir, "out"), "--instances", Instances(), "--out", merged);
        Assert.That(o.ExitCode, Is.EqualTo(0), o.Stderr + o.Stdout);
        Assert.That(o.Stdout, Does.Contain("2 (1 sat, 1 unsat)"));
        Assert.That(o.Stdout, Does.Contain("63.0 s / 2.00 s / 60.00 s"));
        Assert.That(o.Stdout, Does.Contain("400 MiB"));
        var lines = File.ReadAllLines(merged);
        Assert.That(lines.Skip(1).Select(l => l.Split(',')[2]), Is.EqualTo(new[] { "p1.vnnlib", "p2.vnnlib", "p3.vnnlib" }), "instance-list order");
    }

    [Test]
    public void MissingInstancesExitFour()
    {
        var a = Write("s0.csv", Header + $"{Path.GetFileName(dir)},n.onnx,p1.vnnlib,unsat,2.000,400\n");
        var o = CliRunner.Run("merge", a, "--instances", Instances());
        Assert.That(o.ExitCode, Is.EqualTo(4), o.Stderr + o.Stdout);
        Assert.That(o.Stderr, Does.Contain("missing").And.Contain("p2.vnnlib").And.Contain("p3.vnnlib"));
    }

    [Test]
    public void AgreeingDuplicatesAreFlaggedButMerge()
    {
        var a = Write("s0.csv", Header + "b,n.onnx,p1.vnnlib,unsat,2.000,400\n");
        var b = Write("s1.csv", Header + "b,n.onnx,p1.vnnlib,unsat,2.500,410\n");
        var o = CliRunner.Run("merge", a, b);
        Assert.That(o.ExitCode, Is.EqualTo(0), o.Stderr + o.Stdout);
        Assert.That(o.Stderr, Does.Contain("duplicate").And.Contain("p1.vnnlib"));
        Assert.That(o.Stdout, Does.Contain("1 (0 sat, 1 unsat)"));
    }

    [Test]
    public void SatAgainstUnsatExitsThree()
    {
        var a = Write("s0.csv", Header + "b,n.onnx,p1.vnnlib,sat,2.000,400\n");
        var b = Write("s1.csv", Header + "b,n.onnx,p1.vnnlib,unsat,2.500,410\n");
        var o = CliRunner.Run("merge", a, b);
        Assert.That(o.ExitCode, Is.EqualTo(3), o.Stderr + o.Stdout);
        Assert.That(o.Stderr, Does.Contain("CONFLICT").And.Contain("s0.csv").And.Contain("s1.csv"));
    }

    [Test]
    public void CertifyShardsSumTheirCounts()
    {
        var a = Write("c0.csv", "index,label,clean,pgd_robust,certified\n0,7,1,1,1\n1,2,1,1,0\n");
        var b = Write("c1.csv", "index,label,clean,pgd_robust,certified\n2,1,1,0,0\n3,0,0,0,0\n");
        var o = CliRunner.Run("merge", a, b, "--count", "4");
        Assert.That(o.ExitCode, Is.EqualTo(0), o.Stderr + o.Stdout);
        // By hand: 4 images, 3 clean (75%), 2 PGD-robust (50%), 1 certified (25%).
        Assert.That(o.Stdout, Does.Contain("75.00%").And.Contain("50.00%").And.Contain("25.00%"));
        Assert.That(CliRunner.Run("merge", a, b, "--count", "5").ExitCode, Is.EqualTo(4), "image 4 is missing");
        var c = Write("c2.csv", "index,label,clean,pgd_robust,certified\n3,0,1,0,0\n");
        Assert.That(CliRunner.Run("merge", a, b, c).ExitCode, Is.EqualTo(3), "image 3 answered differently");
    }

    [Test]
    public void AFileThatIsNoResultCsvIsAUserError()
    {
        var a = Write("x.csv", "hello,world\n");
        var o = CliRunner.Run("merge", a);
        Assert.That(o.ExitCode, Is.EqualTo(2), o.Stderr + o.Stdout);
        Assert.That(o.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(o.Stderr, Does.Contain("x.csv"));
    }
}
