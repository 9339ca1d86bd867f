using Verify.Benchmarks;
using Verify.Import;
using Verify.Spec;
using Verify.Tests.Support;
using Verify.Verification;

namespace Verify.Tests.Verification;

/// <summary>The VNN-COMP 2021 "test" benchmark: every instance gets the verdict the 2021 tools agreed on.</summary>
public class VnncompTestInstancesTests
{
    [Test]
    public void EveryTestInstanceGetsItsExpectedVerdict()
    {
        var folder = Paths.SharedOrIgnore("benchmarks", "vnncomp2021", "test");
        var instances = InstanceList.Load(Path.Combine(folder, "test_instances.csv"));
        var expected = ExpectedVerdicts.Load(Path.Combine(folder, "..", "expected_2021.csv"));
        Assert.That(instances, Has.Count.EqualTo(5));
        foreach (var instance in instances)
        {
            var name = $"{Path.GetFileName(instance.Onnx)} / {Path.GetFileName(instance.Vnnlib)}";
            var want = expected.Of(instance);
            Assert.That(want, Is.AnyOf("sat", "unsat"), $"{name}: expected verdict");
            var graph = OnnxImporter.Load(instance.Onnx);
            var property = VnnlibReader.Load(instance.Vnnlib, (int)graph.InputSize, (int)graph.OutputSize);
            using var runner = new OnnxRuntimeRunner(instance.Onnx);
            var result = Verifier.Check(graph, runner, property, VerifierOptions.Default with { Method = MethodChoice.Auto, TimeoutSeconds = 30 });
            Assert.That(result.Verdict, Is.EqualTo(want == "sat" ? Verdict.Violated : Verdict.Holds), $"{name}: {result.Reason}");
            if (result.Verdict == Verdict.Violated)
            {
                var cex = result.Counterexample!;
                var pc = property.Cases[cex.Case];
                Assert.That(pc.Box.Contains(cex.Input), Is.True, $"{name}: counterexample outside its box");
                Assert.That(CounterexampleChecker.Satisfies(pc.Disjuncts[cex.Disjunct], runner.Run(cex.Input)), Is.True,
                    $"{name}: ONNX Runtime's output misses the disjunct");
            }
        }
    }
}
