using System.Text;
using ChainCore.Core.Primitives;
using ChainCore.Core.Serialization;
using ChainCore.Node.Network;

namespace ChainCore.Fuzz;

/// <summary>
/// The peer messages (<see cref="PeerWire"/>): the raw bytes of a peer's answer or request, as read
/// off the connection under their cap. Refusals are <see cref="PeerProtocolException"/>s; what is
/// accepted stays within the protocol's limits and re-encodes to what was sent.
/// </summary>
public static class PeerWireTargets
{
    public static void ParseHeadersAnswer(ReadOnlySpan<byte> input)
    {
        IReadOnlyList<BlockHeader> headers;
        try
        {
            headers = PeerWire.ParseHeadersAnswer(input);
        }
        catch (PeerProtocolException)
        {
            return;
        }

        FuzzInvariantException.Check(headers.Count <= PeerWire.MaxHeaders, "a headers answer holds at most 2,000 headers");
    }

    public static void ParseHello(ReadOnlySpan<byte> input)
    {
        try
        {
            _ = PeerWire.ParseHello(input);
        }
        catch (PeerProtocolException)
        {
        }
    }

    public static void ParseWelcome(ReadOnlySpan<byte> input)
    {
        PeerWelcome welcome;
        try
        {
            welcome = PeerWire.ParseWelcome(input);
        }
        catch (PeerProtocolException)
        {
            return;
        }

        FuzzInvariantException.Check(PeerWire.IsSessionToken(welcome.Session), "an accepted handshake answer carries a session token");
    }

    public static void ParseConfirmation(ReadOnlySpan<byte> input)
    {
        PeerConfirmation confirmation;
        try
        {
            confirmation = PeerWire.ParseConfirmation(input);
        }
        catch (PeerProtocolException)
        {
            return;
        }

        FuzzInvariantException.Check(PeerWire.IsSessionToken(confirmation.Session), "an accepted confirmation carries a session token");
    }

    /// <summary><c>GET /p2p/headers?locator=…</c>: the query value, as text.</summary>
    public static void ParseLocator(ReadOnlySpan<byte> input)
    {
        // The query string reaches the endpoint already decoded to text; invalid UTF-8 becomes U+FFFD there.
        var text = Encoding.UTF8.GetString(input);
        IReadOnlyList<Hash256> hashes;
        try
        {
            hashes = PeerWire.ParseLocator(text);
        }
        catch (PeerProtocolException)
        {
            return;
        }

        FuzzInvariantException.Check(hashes.Count is > 0 and <= BlockLocator.MaxEntries, "a locator names 1 to 101 hashes");
    }

    public static void ParseAnnouncement(ReadOnlySpan<byte> input)
    {
        (IReadOnlyList<BlockHeader> Headers, IReadOnlyList<Hash256> TxIds) announcement;
        try
        {
            announcement = PeerWire.ParseAnnouncement(input);
        }
        catch (PeerProtocolException)
        {
            return;
        }

        FuzzInvariantException.Check(
            announcement.Headers.Count <= PeerWire.MaxAnnouncedHeaders && announcement.TxIds.Count <= PeerWire.MaxAnnouncedTransactions,
            "an announcement stays within its limits");
    }

    public static void ParseAddresses(ReadOnlySpan<byte> input)
    {
        IReadOnlyList<string> addresses;
        try
        {
            addresses = PeerWire.ParseAddresses(input);
        }
        catch (PeerProtocolException)
        {
            return;
        }

        FuzzInvariantException.Check(addresses.Count <= PeerWire.MaxAddresses && addresses.All(a => a is not null), "an address answer holds at most 1,000 addresses, none null");
    }

    /// <summary>The problem details of a peer's refusal (a 4xx answer's body).</summary>
    public static void ParseProblem(ReadOnlySpan<byte> input)
    {
        try
        {
            _ = PeerWire.ParseProblem(input);
        }
        catch (PeerProtocolException)
        {
        }
    }

    public static void ParseBlockHex(ReadOnlySpan<byte> input)
    {
        Block block;
        try
        {
            block = PeerWire.ParseBlockHex(input);
        }
        catch (PeerProtocolException)
        {
            return;
        }

        FuzzInvariantException.Check(block.Serialize().AsSpan().SequenceEqual(Hex.Decode(Encoding.UTF8.GetString(input).Trim())), "a block from hex re-serializes to the same bytes");
    }

    public static void ParseTransactionHex(ReadOnlySpan<byte> input)
    {
        Transaction tx;
        try
        {
            tx = PeerWire.ParseTransactionHex(input);
        }
        catch (PeerProtocolException)
        {
            return;
        }

        FuzzInvariantException.Check(tx.Serialize().AsSpan().SequenceEqual(Hex.Decode(Encoding.UTF8.GetString(input).Trim())), "a transaction from hex re-serializes to the same bytes");
    }
}
