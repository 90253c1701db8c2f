namespace ChainCore.Fuzz;

/// <summary>Every parser a peer or an API caller feeds, by name (the name of its corpus folder too).</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("Block.Parse", "a block's bytes (P2P and mining submissions, once decoded)", PrimitiveTargets.ParseBlock),
        new("Transaction.Parse", "a transaction's bytes", PrimitiveTargets.ParseTransaction),
        new("BlockHeader.Parse", "a header's 80 bytes (a headers answer's entries)", PrimitiveTargets.ParseHeader),
        new("RequestParser.ParseBlockHex", "a block as hex text", RequestParserTargets.ParseBlockHex),
        new("RequestParser.ParseTransactionHex", "a transaction as hex text", RequestParserTargets.ParseTransactionHex),
        new("RequestParser.ParseTransaction", "a JSON transaction submission", RequestParserTargets.ParseTransactionJson),
        new("RequestParser.ParseAddress", "an address as text", RequestParserTargets.ParseAddress),
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
