namespace ChainCore.Core.Consensus;

/// <summary>
/// Why something was refused, as Bitcoin's <c>TxValidationResult</c>/<c>BlockValidationResult</c>:
/// the HTTP status of an API refusal and a peer's misbehaviour score both derive from it, never from
/// lists of codes.
/// </summary>
public enum ValidationCategory
{
    /// <summary>Valid.</summary>
    None,

    /// <summary>Breaks a consensus rule: no chain state can ever make it valid. A peer sending it misbehaves.</summary>
    Invalid,

    /// <summary>Spends outputs this node does not know (a transaction), or has an unknown parent (a block): an orphan.</summary>
    MissingInputs,

    /// <summary>Valid on its own but conflicts with what this node already has (a mempool double spend).</summary>
    Conflict,

    /// <summary>Refused by this node's local policy (fee, size, mempool limits), not by consensus.</summary>
    Policy,

    /// <summary>Already known; nothing to do.</summary>
    Duplicate,

    /// <summary>Built on a state that is gone (a template or block for a tip that moved).</summary>
    Stale,

    /// <summary>Spends coins that are not spendable yet (an immature coinbase): valid later, not now.</summary>
    Premature,
}

/// <summary>The outcome of a rule: valid, or refused with a stable <see cref="RejectCodes">code</see>, a category and a human message.</summary>
public readonly record struct ValidationResult(string? Code, string Message, ValidationCategory Category)
{
    public static ValidationResult Ok => default;

    public bool IsValid => Code is null;

    /// <summary>A consensus failure.</summary>
    public static ValidationResult Invalid(string code, string message) => new(code, message, ValidationCategory.Invalid);

    public static ValidationResult MissingInputs(string code, string message) => new(code, message, ValidationCategory.MissingInputs);

    public static ValidationResult Conflict(string code, string message) => new(code, message, ValidationCategory.Conflict);

    public static ValidationResult Policy(string code, string message) => new(code, message, ValidationCategory.Policy);

    public static ValidationResult Duplicate(string code, string message) => new(code, message, ValidationCategory.Duplicate);

    public static ValidationResult Stale(string code, string message) => new(code, message, ValidationCategory.Stale);

    public static ValidationResult Premature(string code, string message) => new(code, message, ValidationCategory.Premature);

    public override string ToString() => IsValid ? "valid" : $"{Code} ({Category}): {Message}";
}
