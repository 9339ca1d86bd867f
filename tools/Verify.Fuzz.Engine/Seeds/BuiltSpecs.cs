namespace Verify.Fuzz.Seeds;

/// <summary>Small VNNLIB properties built in code, covering the forms the reader accepts.</summary>
public static class BuiltSpecs
{
    /// <summary>The built properties.</summary>
    public static IReadOnlyList<VnnlibSeed> All { get; } = new[]
    {
        new VnnlibSeed("built:acas-like", """
            ; An ACAS Xu-like property: one box, a disjunction of output conjunctions.
            (set-logic QF_LRA)
            (declare-const X_0 Real)
            (declare-const X_1 Real)
            (declare-const X_2 Real)
            (declare-const X_3 Real)
            (declare-const X_4 Real)
            (declare-const Y_0 Real)
            (declare-const Y_1 Real)
            (declare-const Y_2 Real)
            (declare-const Y_3 Real)
            (declare-const Y_4 Real)
            (assert (<= X_0 0.679857769))
            (assert (>= X_0 0.6))
            (assert (<= X_1 0.5))
            (assert (>= X_1 -0.5))
            (assert (and (<= X_2 0.5) (>= X_2 -0.5)))
            (assert (<= -0.4 X_3 0.5))
            (assert (= X_4 -4.5e-1))
            (assert (or (and (<= Y_0 Y_1) (<= Y_0 Y_2)) (and (>= Y_3 0.5) (<= (+ Y_1 (* 2 Y_4)) 3))))
            (check-sat)
            """, 5, 5),
        new VnnlibSeed("built:two-boxes", "(declare-const X_0 Real)\r\n(declare-const X_1 Real)\r\n(declare-const Y_0 Real)\r\n(declare-const Y_1 Real)\r\n" +
            "(assert (or\r\n\t(and (>= X_0 0) (<= X_0 1) (>= X_1 -1) (<= X_1 1) (<= Y_0 Y_1))\r\n" +
            "\t(and (>= X_0 1) (<= X_0 2) (>= X_1 -1) (<= X_1 1) (< (- Y_1 Y_0) 0))))\r\n", 2, 2),
        new VnnlibSeed("built:not-and-terms", """
            (declare-const X_0 Real) (declare-const X_1 Real) (declare-const X_2 Real)
            (declare-const Y_0 Real) (declare-const Y_1 Real) (declare-const Y_2 Real) (declare-const Y_3 Real)
            (assert (and (>= X_0 -1e-3) (<= X_0 +1E-3) (>= X_1 .5) (<= X_1 1.) (>= X_2 -2) (<= X_2 (/ 4 2))))
            (assert (not (and (> Y_0 Y_1) (> Y_0 Y_2) (> Y_0 (- Y_3 0.25)))))
            (assert (or (<= (* 0.5 Y_1) 1) (>= (- Y_2) -3) (not (not (<= Y_3 Y_0)))))
            """, 3, 4),
    };
}
