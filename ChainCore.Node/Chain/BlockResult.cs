using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;

namespace ChainCore.Node.Chain;

public enum BlockStatus
{
    /// <summary>Stored and valid as far as checked; <see cref="BlockResult.BecameTip"/> says whether the chain moved.</summary>
    Accepted,

    /// <summary>Already known; nothing changed.</summary>
    Duplicate,

    /// <summary>Parent unknown: kept in the orphan pool while its ancestors are fetched.</summary>
    Orphan,

    /// <summary>Refused; see <see cref="BlockResult.Code"/>.</summary>
    Invalid,
}

public sealed record BlockResult(BlockStatus Status, Hash256 Hash, int? Height, bool BecameTip, ValidationResult Validation = default)
{
    public string? Code => Validation.Code;

    public static BlockResult Invalid(Hash256 hash, ValidationResult reason) => new(BlockStatus.Invalid, hash, null, false, reason);
}

public sealed record TransactionResult(Hash256 TxId, ValidationResult Validation, Amount Fee)
{
    public bool Accepted => Validation.IsValid;
}

/// <summary>Raised after the best chain changed: blocks disconnected (newest first), then connected (oldest first).</summary>
public sealed record ChainChanged(IReadOnlyList<Block> Disconnected, IReadOnlyList<Block> Connected, BlockIndexEntry NewTip);
