namespace ChainCore.Fuzz;

/// <summary>Every parser a peer or an API caller feeds, by name (the name of its corpus folder too).</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("Block.Parse", FuzzFormat.Binary, "a block's bytes", PrimitiveTargets.ParseBlock),
        new("Transaction.Parse", FuzzFormat.Binary, "a transaction's bytes", PrimitiveTargets.ParseTransaction),
        new("BlockHeader.Parse", FuzzFormat.Binary, "a header's 80 bytes", PrimitiveTargets.ParseHeader),
        new("RequestParser.ParseBlockHex", FuzzFormat.Text, "a block as hex text (API)", RequestParserTargets.ParseBlockHex),
        new("RequestParser.ParseTransactionHex", FuzzFormat.Text, "a transaction as hex text (API)", RequestParserTargets.ParseTransactionHex),
        new("RequestParser.ParseTransaction", FuzzFormat.Json, "a transaction submission (API JSON)", RequestParserTargets.ParseTransactionJson),
        new("RequestParser.ParseAddress", FuzzFormat.Text, "an address (API)", RequestParserTargets.ParseAddress),
        new("PeerWire.ParseHeadersAnswer", FuzzFormat.Json, "a peer's headers answer", PeerWireTargets.ParseHeadersAnswer),
        new("PeerWire.ParseHello", FuzzFormat.Json, "a handshake", PeerWireTargets.ParseHello),
        new("PeerWire.ParseWelcome", FuzzFormat.Json, "a handshake's answer", PeerWireTargets.ParseWelcome),
        new("PeerWire.ParseConfirmation", FuzzFormat.Json, "a nonce confirmation", PeerWireTargets.ParseConfirmation),
        new("PeerWire.ParseLocator", FuzzFormat.Text, "a block locator", PeerWireTargets.ParseLocator),
        new("PeerWire.ParseAnnouncement", FuzzFormat.Json, "an announcement of headers and txids", PeerWireTargets.ParseAnnouncement),
        new("PeerWire.ParseAddresses", FuzzFormat.Json, "an address answer", PeerWireTargets.ParseAddresses),
        new("PeerWire.ParseProblem", FuzzFormat.Json, "the problem details of a peer's refusal", PeerWireTargets.ParseProblem),
        new("PeerWire.ParseBlockHex", FuzzFormat.Text, "a peer's block as hex", PeerWireTargets.ParseBlockHex),
        new("PeerWire.ParseTransactionHex", FuzzFormat.Text, "a peer's transaction as hex", PeerWireTargets.ParseTransactionHex),
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);
}
