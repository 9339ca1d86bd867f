namespace Verify.Fuzz.Running;

/// <summary>How one input ended.</summary>
public enum FuzzOutcome
{
    /// <summary>Imported (the mutation happened to be harmless).</summary>
    Accepted,

    /// <summary>A <see cref="VerifyException"/>: the user error the program reports in one line.</summary>
    UserError,

    /// <summary>Any other exception: a bug.</summary>
    OtherException,

    /// <summary>Still running at the deadline: a hang.</summary>
    Timeout,

    /// <summary>The process grew by more than the memory limit while the input ran.</summary>
    OverMemory,
}
