namespace ChainCore.Core.Consensus;

/// <summary>The outcome of a rule: valid, or refused with a stable <see cref="RejectCodes">code</see> and a human message.</summary>
public readonly record struct ValidationResult(string? Code, string Message)
{
    public static ValidationResult Ok => default;

    public bool IsValid => Code is null;

    public static ValidationResult Fail(string code, string message) => new(code, message);

    public override string ToString() => IsValid ? "valid" : $"{Code}: {Message}";
}
