using System.Text;
using ChainCore.Core.Api;
using ChainCore.Core.Crypto;
using ChainCore.Core.Primitives;
using ChainCore.Core.Serialization;
using ChainCore.Node.Api;

namespace ChainCore.Fuzz;

/// <summary>
/// The node API's boundary (<see cref="RequestParser"/>, <see cref="RequestBody"/>): what any caller's
/// request body becomes. Refusals are <see cref="BadRequestException"/>s; what is accepted must be the
/// object the text described.
/// </summary>
public static class RequestParserTargets
{
    // As RequestBody.ReadTextAsync reads a body: strict UTF-8, invalid bytes refused.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary><c>POST /p2p/blocks</c> and <c>POST /mining/submit</c>: a block in hex.</summary>
    public static void ParseBlockHex(ReadOnlySpan<byte> input)
    {
        if (!TryDecode(input, out var text))
        {
            return;
        }

        Block block;
        try
        {
            block = RequestParser.ParseBlockHex(text.Trim(), "body");
        }
        catch (BadRequestException)
        {
            return;
        }

        FuzzInvariantException.Check(block.Serialize().AsSpan().SequenceEqual(Hex.Decode(text.Trim())), "a block from hex re-serializes to the same bytes");
    }

    /// <summary><c>POST /transactions</c> (text) and <c>POST /p2p/transactions</c>: a transaction in hex.</summary>
    public static void ParseTransactionHex(ReadOnlySpan<byte> input)
    {
        if (!TryDecode(input, out var text))
        {
            return;
        }

        Transaction tx;
        try
        {
            tx = RequestParser.ParseTransactionHex(text.Trim(), "body");
        }
        catch (BadRequestException)
        {
            return;
        }

        FuzzInvariantException.Check(tx.Serialize().AsSpan().SequenceEqual(Hex.Decode(text.Trim())), "a transaction from hex re-serializes to the same bytes");
    }

    /// <summary><c>POST /transactions</c> (JSON): hex or the transaction's fields, with coins as decimals.</summary>
    public static void ParseTransactionJson(ReadOnlySpan<byte> input)
    {
        if (!TryDecode(input, out var text))
        {
            return;
        }

        SubmitTransactionRequest body;
        Transaction tx;
        try
        {
            body = RequestBody.ParseJson<SubmitTransactionRequest>(text);
            tx = RequestParser.ParseTransaction(body);
        }
        catch (BadRequestException)
        {
            return;
        }

        FuzzInvariantException.Check(Transaction.Parse(tx.Serialize()).Serialize().AsSpan().SequenceEqual(tx.Serialize()), "a transaction from JSON survives its own serialization");
        if (body.Hex is null)
        {
            FuzzInvariantException.Check(tx.Outputs.All(o => o.Value.IsInMoneyRange), "amounts from JSON are in the money range");
        }
    }

    /// <summary><c>POST /mine_block</c>, <c>GET /mining/template</c> and outputs: an address.</summary>
    public static void ParseAddress(ReadOnlySpan<byte> input)
    {
        if (!TryDecode(input, out var text))
        {
            return;
        }

        Address address;
        try
        {
            address = RequestParser.ParseAddress(text, "address");
        }
        catch (BadRequestException)
        {
            return;
        }

        FuzzInvariantException.Check(address.ToString() == text, "an accepted address is written the way it was read");
    }

    private static bool TryDecode(ReadOnlySpan<byte> input, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(input);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = string.Empty;
            return false;
        }
    }
}
