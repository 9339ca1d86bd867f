namespace Verify;

/// <summary>A user error (bad file, unsupported model, bad option): reported as one readable message, exit code 2.</summary>
public class VerifyException : Exception
{
    /// <summary>Creates the error with its user-facing message.</summary>
    public VerifyException(string message) : base(message) { }

    /// <summary>Creates the error with its user-facing message and the underlying cause.</summary>
    public VerifyException(string message, Exception inner) : base(message, inner) { }
}
