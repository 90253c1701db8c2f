using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChainCore.Core.Primitives;

namespace ChainCore.Core.Api;

/// <summary>A problem-details answer from the node: the HTTP status, the stable code and the detail.</summary>
public sealed class NodeApiException(HttpStatusCode status, string code, string detail)
    : Exception($"{(int)status} {code}: {detail}")
{
    public HttpStatusCode Status { get; } = status;

    public string Code { get; } = code;

    public string Detail { get; } = detail;
}

/// <summary>The outcome of submitting a transaction or block: accepted, or refused with the node's code.</summary>
public sealed record SubmitResult(bool Accepted, string? Id, string? Code, string? Message)
{
    public static SubmitResult Refused(string code, string message) => new(false, null, code, message);
}

/// <summary>Typed client for the node's REST API. Give it an <see cref="HttpClient"/> whose BaseAddress is the node.</summary>
public sealed class NodeClient(HttpClient http)
{
    public Uri? BaseAddress => http.BaseAddress;

    public Task<StatusResponse> GetStatusAsync(CancellationToken ct = default) => GetAsync<StatusResponse>("status", ct);

    public Task<BlockResponse> GetLatestBlockAsync(CancellationToken ct = default) => GetAsync<BlockResponse>("blocks/latest", ct);

    public Task<BlockResponse> GetBlockAsync(int height, CancellationToken ct = default) => GetAsync<BlockResponse>($"blocks/{height}", ct);

    public Task<BlockResponse> GetBlockAsync(Hash256 hash, CancellationToken ct = default) => GetAsync<BlockResponse>($"blocks/hash/{hash}", ct);

    public Task<BlockListResponse> GetBlocksAsync(int start, int limit, CancellationToken ct = default) =>
        GetAsync<BlockListResponse>($"blocks?start={start}&limit={limit}", ct);

    public Task<TransactionResponse> GetTransactionAsync(Hash256 txId, CancellationToken ct = default) =>
        GetAsync<TransactionResponse>($"transactions/{txId}", ct);

    public Task<BalanceResponse> GetBalanceAsync(string address, CancellationToken ct = default) =>
        GetAsync<BalanceResponse>($"addresses/{Uri.EscapeDataString(address)}/balance", ct);

    public Task<AddressUtxosResponse> GetUtxosAsync(string address, CancellationToken ct = default) =>
        GetAsync<AddressUtxosResponse>($"addresses/{Uri.EscapeDataString(address)}/utxos", ct);

    public Task<AddressHistoryResponse> GetHistoryAsync(string address, CancellationToken ct = default) =>
        GetAsync<AddressHistoryResponse>($"addresses/{Uri.EscapeDataString(address)}/transactions", ct);

    public Task<MempoolResponse> GetMempoolAsync(CancellationToken ct = default) => GetAsync<MempoolResponse>("mempool", ct);

    public Task<MiningTemplateResponse> GetMiningTemplateAsync(string address, CancellationToken ct = default) =>
        GetAsync<MiningTemplateResponse>($"mining/template?address={Uri.EscapeDataString(address)}", ct);

    /// <summary>
    /// The long poll: the node answers when its tip is no longer <paramref name="longPollTip"/> (at once
    /// if it already is not), when its mempool changed a while ago, or after its own time limit.
    /// </summary>
    public Task<MiningTemplateResponse> GetMiningTemplateAsync(string address, string longPollTip, CancellationToken ct = default) =>
        GetAsync<MiningTemplateResponse>($"mining/template?address={Uri.EscapeDataString(address)}&longpoll={Uri.EscapeDataString(longPollTip)}", ct);

    public Task<MiningStatsResponse> GetMiningStatsAsync(CancellationToken ct = default) => GetAsync<MiningStatsResponse>("mining/stats", ct);

    /// <summary>Submits a signed transaction; a refusal is a result with the node's code, not an exception.</summary>
    public async Task<SubmitResult> SubmitTransactionAsync(Transaction transaction, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        using var response = await http.PostAsJsonAsync("transactions", new SubmitTransactionRequest(transaction.ToHex()), ApiJson.Options, ct);
        if (!response.IsSuccessStatusCode)
        {
            var problem = await ReadProblemAsync(response, ct);
            return SubmitResult.Refused(problem.Code, problem.Detail);
        }

        var body = await response.Content.ReadFromJsonAsync<SubmitTransactionResponse>(ApiJson.Options, ct);
        return new SubmitResult(true, body!.TxId, null, null);
    }

    /// <summary>Submits a solved block; a refusal is a result with the node's code, not an exception.</summary>
    public async Task<SubmitResult> SubmitBlockAsync(Block block, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        using var response = await http.PostAsJsonAsync("mining/submit", new SubmitBlockRequest(block.ToHex()), ApiJson.Options, ct);
        if (!response.IsSuccessStatusCode)
        {
            var problem = await ReadProblemAsync(response, ct);
            return SubmitResult.Refused(problem.Code, problem.Detail);
        }

        var body = await response.Content.ReadFromJsonAsync<SubmitBlockResponse>(ApiJson.Options, ct);
        return new SubmitResult(true, body!.Hash, null, null);
    }

    /// <summary>Asks a regtest or devnet node to mine one block paying <paramref name="minerAddress"/>.</summary>
    public Task<MineBlockResponse> MineBlockAsync(string minerAddress, CancellationToken ct = default) =>
        PostAsync<MineBlockRequest, MineBlockResponse>("mine_block", new MineBlockRequest(minerAddress), ct);

    public async Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, CancellationToken ct = default)
    {
        using var response = await http.PostAsJsonAsync(path, body, ApiJson.Options, ct);
        return await ReadAsync<TResponse>(response, ct);
    }

    public async Task<T> GetAsync<T>(string path, CancellationToken ct = default)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), ct);
        return await ReadAsync<T>(response, ct);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            var problem = await ReadProblemAsync(response, ct);
            throw new NodeApiException(response.StatusCode, problem.Code, problem.Detail);
        }

        return (await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, ct))
            ?? throw new NodeApiException(response.StatusCode, "empty-response", "The node answered with an empty body.");
    }

    private static async Task<(string Code, string Detail)> ReadProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            var code = root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : $"http-{(int)response.StatusCode}";
            var detail = root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : response.ReasonPhrase ?? string.Empty;
            return (code, detail);
        }
        catch (JsonException)
        {
            return ($"http-{(int)response.StatusCode}", text);
        }
    }
}
