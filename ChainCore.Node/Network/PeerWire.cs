using System.Text;
using System.Text.Json;
using ChainCore.Core.Api;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Core.Serialization;

namespace ChainCore.Node.Network;

/// <summary>What a peer sent is not what the protocol allows: too large, malformed, or more than a message may hold.</summary>
public sealed class PeerProtocolException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>
/// The bytes of peer messages, parsed: every parser takes bytes a stranger chose and either returns
/// a well-formed message within the protocol's limits or throws <see cref="PeerProtocolException"/>.
/// The byte caps here bound what is read from a peer before parsing begins.
/// </summary>
public static class PeerWire
{
    /// <summary>Headers a peer may send in one answer (Bitcoin's <c>MAX_HEADERS_RESULTS</c>).</summary>
    public const int MaxHeaders = BlockLocator.MaxHeaders;

    /// <summary>Headers one announcement may carry (Bitcoin announces at most 8 by header).</summary>
    public const int MaxAnnouncedHeaders = 8;

    /// <summary>Transaction ids one announcement may carry.</summary>
    public const int MaxAnnouncedTransactions = 1_000;

    /// <summary>Addresses one address answer may carry.</summary>
    public const int MaxAddresses = 1_000;

    /// <summary>A status, a peer list, a handshake or its answer: a few kB.</summary>
    public const int MaxSmallMessageBytes = 16 * 1024;

    /// <summary>A headers answer: 2,000 headers of 160 hex digits each, quoted and separated, and the envelope.</summary>
    public const int MaxHeadersAnswerBytes = (MaxHeaders * ((2 * BlockHeader.Size) + 3)) + 1_024;

    /// <summary>An announcement: its headers and txids in hex, quoted and separated, and the envelope.</summary>
    public const int MaxAnnouncementBytes = (MaxAnnouncedHeaders * ((2 * BlockHeader.Size) + 3)) + (MaxAnnouncedTransactions * ((2 * Hash256.Size) + 3)) + 1_024;

    /// <summary>An address answer.</summary>
    public const int MaxAddressesAnswerBytes = MaxAddresses * 320;

    /// <summary>A block in hex is twice its size; a little framing on top.</summary>
    public static int MaxBlockBytes(ConsensusParams p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return (2 * p.MaxBlockSize) + 1_024;
    }

    /// <summary>A transaction in hex (the policy limit of 100,000 bytes, doubled), a little framing on top.</summary>
    public const int MaxTransactionBytes = (2 * 100_000) + 1_024;

    /// <summary>A headers answer: <c>{"count": n, "headers": ["80 bytes of hex", …]}</c>, at most <see cref="MaxHeaders"/>.</summary>
    public static IReadOnlyList<BlockHeader> ParseHeadersAnswer(ReadOnlySpan<byte> utf8Json)
    {
        var answer = Json<HeadersResponse>(utf8Json, "headers answer");
        if (answer.Headers is null)
        {
            throw Malformed("The headers answer has no 'headers'.");
        }

        if (answer.Headers.Count > MaxHeaders)
        {
            throw new PeerProtocolException(PeerCodes.TooManyHeaders, $"The peer sent {answer.Headers.Count} headers; at most {MaxHeaders} are allowed.");
        }

        return [.. answer.Headers.Select(ParseHeaderHex)];
    }

    /// <summary>A handshake's JSON; its fields are checked by the connection manager.</summary>
    public static PeerHello ParseHello(ReadOnlySpan<byte> utf8Json) => Json<PeerHello>(utf8Json, "handshake");

    /// <summary>A handshake's answer: every field present, the session token of the expected shape.</summary>
    public static PeerWelcome ParseWelcome(ReadOnlySpan<byte> utf8Json)
    {
        var welcome = Json<PeerWelcome>(utf8Json, "handshake answer");
        if (welcome.NodeId is null || welcome.Url is null || welcome.Network is null || welcome.GenesisHash is null || welcome.TipHash is null || !IsSessionToken(welcome.Session))
        {
            throw Malformed("The handshake answer lacks a field or its session token is not 64 hex digits.");
        }

        return welcome;
    }

    public static PeerConfirmation ParseConfirmation(ReadOnlySpan<byte> utf8Json)
    {
        var confirmation = Json<PeerConfirmation>(utf8Json, "confirmation");
        return IsSessionToken(confirmation.Session) ? confirmation : throw Malformed("The confirmation's session token is not 64 hex digits.");
    }

    /// <summary>A block locator: block hashes separated by commas, newest first, at most <see cref="BlockLocator.MaxEntries"/>.</summary>
    public static IReadOnlyList<Hash256> ParseLocator(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw Malformed("'locator' is required: block hashes separated by commas, newest first.");
        }

        if (text.Length > BlockLocator.MaxEntries * 65)
        {
            throw Malformed($"'locator' is longer than {BlockLocator.MaxEntries} hashes can be.");
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > BlockLocator.MaxEntries)
        {
            throw Malformed($"'locator' has {parts.Length} hashes; at most {BlockLocator.MaxEntries} are allowed.");
        }

        var hashes = new List<Hash256>(parts.Length);
        foreach (var part in parts)
        {
            hashes.Add(Hash256.TryParse(part, out var hash)
                ? hash
                : throw Malformed($"'locator' holds '{Shorten(part)}', which is not a block hash (64 hex digits)."));
        }

        return hashes;
    }

    /// <summary>An announcement: at most <see cref="MaxAnnouncedHeaders"/> headers and <see cref="MaxAnnouncedTransactions"/> txids.</summary>
    public static (IReadOnlyList<BlockHeader> Headers, IReadOnlyList<Hash256> TxIds) ParseAnnouncement(ReadOnlySpan<byte> utf8Json)
    {
        var message = Json<InventoryMessage>(utf8Json, "announcement");
        var headers = message.Headers ?? [];
        var txids = message.TxIds ?? [];
        if (headers.Count > MaxAnnouncedHeaders || txids.Count > MaxAnnouncedTransactions)
        {
            throw Malformed($"An announcement carries at most {MaxAnnouncedHeaders} headers and {MaxAnnouncedTransactions} txids; this one {headers.Count} and {txids.Count}.");
        }

        return ([.. headers.Select(ParseHeaderHex)],
            [.. txids.Select(t => Hash256.TryParse(t, out var id) ? id : throw Malformed($"'{Shorten(t)}' is not a txid (64 hex digits)."))]);
    }

    /// <summary>An address answer: at most <see cref="MaxAddresses"/> strings (each is checked before it is learned).</summary>
    public static IReadOnlyList<string> ParseAddresses(ReadOnlySpan<byte> utf8Json)
    {
        var answer = Json<AddressesResponse>(utf8Json, "address answer");
        if (answer.Addresses is null || answer.Addresses.Count > MaxAddresses)
        {
            throw Malformed($"An address answer carries a list of at most {MaxAddresses} addresses.");
        }

        return [.. answer.Addresses.Where(a => a is not null)];
    }

    /// <summary>A block as hex text.</summary>
    public static Block ParseBlockHex(ReadOnlySpan<byte> text)
    {
        var bytes = HexBytes(text, "block");
        try
        {
            return Block.Parse(bytes);
        }
        catch (FormatException e)
        {
            throw Malformed($"The block does not parse: {e.Message}");
        }
    }

    /// <summary>A transaction as hex text.</summary>
    public static Transaction ParseTransactionHex(ReadOnlySpan<byte> text)
    {
        var bytes = HexBytes(text, "transaction");
        try
        {
            return Transaction.Parse(bytes);
        }
        catch (FormatException e)
        {
            throw Malformed($"The transaction does not parse: {e.Message}");
        }
    }

    /// <summary>
    /// A refusal's problem details (RFC 7807): its <c>code</c> and <c>detail</c> where they are strings,
    /// null where they are missing, of another type, or the body is not a JSON object.
    /// </summary>
    public static (string? Code, string? Detail) ParseProblem(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            using var problem = JsonDocument.Parse(utf8Json.ToArray());
            if (problem.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            return (StringProperty(problem.RootElement, "code"), StringProperty(problem.RootElement, "detail"));
        }
        catch (JsonException e)
        {
            throw Malformed($"The problem details are not JSON: {e.Message}");
        }
    }

    /// <summary>A session token: 32 random bytes as 64 lowercase hex digits.</summary>
    public static bool IsSessionToken(string? token) =>
        token is { Length: 64 } && token.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    private static BlockHeader ParseHeaderHex(string? hex) =>
        hex is { Length: 2 * BlockHeader.Size } && Hex.TryDecode(hex, out var bytes)
            ? BlockHeader.Parse(bytes)
            : throw new PeerProtocolException(PeerCodes.BadHeaders, "A header is not 80 bytes of hex.");

    private static byte[] HexBytes(ReadOnlySpan<byte> text, string what)
    {
        string hex;
        try
        {
            hex = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(text).Trim();
        }
        catch (DecoderFallbackException)
        {
            throw Malformed($"The {what} is not text.");
        }

        return Hex.TryDecode(hex, out var bytes) && bytes.Length > 0 ? bytes : throw Malformed($"The {what} is not hex.");
    }

    private static T Json<T>(ReadOnlySpan<byte> utf8Json, string what)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(utf8Json, ApiJson.Options) ?? throw Malformed($"The {what} is null.");
        }
        catch (JsonException e)
        {
            throw Malformed($"The {what} is not the expected JSON: {e.Message}");
        }
    }

    private static string? StringProperty(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        // JsonDocument checks the structure, not the text inside strings: invalid UTF-8 there only
        // shows when the string is read, as an InvalidOperationException.
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            throw Malformed($"The problem's '{name}' is not UTF-8 text.");
        }
    }

    private static PeerProtocolException Malformed(string message) => new(PeerCodes.MalformedAnswer, message);

    private static string Shorten(string? text) => text is null ? "null" : text.Length > 70 ? text[..70] + "…" : text;
}
