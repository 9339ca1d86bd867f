using static TorchSharp.torch;

namespace Verify.Training.Bounds;

/// <summary>The L-inf ball around images intersected with the pixel range [0,1].</summary>
public static class PixelBall
{
    /// <summary>Lower and upper corners.</summary>
    public static (Tensor Lower, Tensor Upper) Of(Tensor x, double eps) => ((x - eps).clamp(0, 1), (x + eps).clamp(0, 1));
}
