using System.Net;
using System.Security.Cryptography;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Node;
using ChainCore.Node.Chain;
using ChainCore.Node.Mempool;
using ChainCore.Node.Network;
using ChainCore.Node.Storage;
using ChainCore.Tests.Harness;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace ChainCore.Tests.Unit.Network;

/// <summary>
/// The node's network parts over substitutes at their seams: a chain engine over a substitute
/// <see cref="IChainStore"/> that already holds <c>height</c> blocks, a substitute <see cref="IPeerStore"/>
/// and a substitute <see cref="IPeerClient"/> standing for every other node; real connections,
/// address book, ban list and message handling on one <see cref="FakeTimeProvider"/>. No database, no HTTP.
/// </summary>
internal sealed class PeerUnitKit : IDisposable
{
    public const string SelfUrl = "http://10.0.0.1:8333";
    public static readonly ConsensusParams Params = ConsensusParams.Regtest;

    private static readonly byte[] PayTo = new byte[20];
    private int _peers;

    private PeerUnitKit(P2pOptions options)
    {
        Options = options;
        Store.LoadBlockIndexAsync(Arg.Any<CancellationToken>()).Returns(_ => StoredChain());
        Store.InsertBlockAsync(Arg.Any<Block>(), Arg.Any<int>(), Arg.Any<CancellationToken>()).Returns(true);
        Store.GetCoinsAsync(Arg.Any<IReadOnlyCollection<OutPoint>>(), Arg.Any<CancellationToken>()).Returns(new Dictionary<OutPoint, Coin>());
        Store.GetTransactionAsync(Arg.Any<Hash256>(), Arg.Any<CancellationToken>()).Returns((StoredTransaction?)null);
        var update = Substitute.For<IChainUpdate>();
        update.GetCoinsAsync(Arg.Any<IReadOnlyCollection<OutPoint>>(), Arg.Any<CancellationToken>()).Returns(new Dictionary<OutPoint, Coin>());
        Store.BeginUpdateAsync(Arg.Any<CancellationToken>()).Returns(update);
        PeerStore.GetAddressesAsync(Arg.Any<CancellationToken>()).Returns(Array.Empty<AddressRecord>());
        PeerStore.GetBansAsync(Arg.Any<CancellationToken>()).Returns(Array.Empty<BanRecord>());
        Chain = new ChainEngine(Store, Params, new TransactionPool(100, 1_000_000, clock: Clock), Clock, 1_000, 10, NullLogger<ChainEngine>.Instance);
        Bans = new BanList(PeerStore, Clock, NullLogger<BanList>.Instance);
        Book = new AddressBook(Clock, allowPrivate: true);
        var node = Microsoft.Extensions.Options.Options.Create(new NodeOptions { NodeId = "self", PublicUrl = SelfUrl });
        Connections = new ConnectionManager(Chain, Client, PeerStore, Book, Bans, Sync, node, Microsoft.Extensions.Options.Options.Create(Options), Clock, NullLogger<ConnectionManager>.Instance);
        Messages = new PeerMessageHandler(Chain, Connections, Client, Sync, Clock, NullLogger<PeerMessageHandler>.Instance);
    }

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    public IChainStore Store { get; } = Substitute.For<IChainStore>();

    public IPeerStore PeerStore { get; } = Substitute.For<IPeerStore>();

    /// <summary>Every other node, as this node calls it.</summary>
    public IPeerClient Client { get; } = Substitute.For<IPeerClient>();

    public SyncQueue Sync { get; } = new();

    public P2pOptions Options { get; }

    public ChainEngine Chain { get; }

    public BanList Bans { get; }

    public AddressBook Book { get; }

    public ConnectionManager Connections { get; }

    public PeerMessageHandler Messages { get; }

    /// <summary>The blocks this node holds above genesis, in order.</summary>
    public List<Block> Blocks { get; } = [];

    /// <summary>A node whose store holds <paramref name="height"/> blocks on genesis (its tip at that height).</summary>
    public static async Task<PeerUnitKit> StartAsync(int height = 0, Action<P2pOptions>? configure = null)
    {
        var options = new P2pOptions { ConnectTimeout = TimeSpan.FromSeconds(30), BanDuration = TimeSpan.FromHours(1) };
        configure?.Invoke(options);
        var kit = new PeerUnitKit(options);
        kit.Blocks.AddRange(Branch(Params.Genesis, 0, height));
        await kit.Chain.InitializeAsync();
        return kit;
    }

    /// <summary><paramref name="count"/> solved empty blocks on <paramref name="parent"/> at <paramref name="parentHeight"/>; <paramref name="extraNonce"/> makes a different branch.</summary>
    public static IReadOnlyList<Block> Branch(Block parent, int parentHeight, int count, byte extraNonce = 0)
    {
        var blocks = new List<Block>();
        for (var i = 0; i < count; i++)
        {
            parent = BlockFactory.Next(parent, parentHeight + i, PayTo, Params, extraNonce: extraNonce);
            blocks.Add(parent);
        }

        return blocks;
    }

    public static string Token() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string Nonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>A well-formed handshake from the node at <paramref name="url"/>, on this node's chain.</summary>
    public static PeerHello Hello(string url, string? nonce = null, int tipHeight = 0, Hash256? tipHash = null) =>
        new("peer", url, Params.Name, Params.GenesisHash.ToString(), tipHeight, (tipHash ?? Params.GenesisHash).ToString(), nonce ?? Nonce());

    /// <summary>The node at <paramref name="url"/> confirms every handshake this node calls it back about.</summary>
    public void Confirms(string url) =>
        Client.ConfirmAsync(Arg.Is<PeerAddress>(a => a.Value == url), Arg.Any<PeerConfirmRequest>(), Arg.Any<CancellationToken>())
            .Returns(_ => new PeerConfirmation(Token()));

    /// <summary>An inbound session with a new peer that proved its address (in memory: no remote IP).</summary>
    public async Task<Peer> ConnectInboundAsync(string? url = null, IPAddress? remote = null)
    {
        url ??= $"http://10.0.1.{++_peers}:8333";
        Confirms(url);
        var (welcome, refusal) = await Connections.AcceptAsync(Hello(url), remote, CancellationToken.None);
        if (refusal is not null)
        {
            throw new InvalidOperationException($"The handshake from {url} was refused: {refusal}");
        }

        return Connections.FindBySession(welcome!.Session)!;
    }

    /// <summary>A transaction with an output worth less than nothing: invalid whatever the chain holds.</summary>
    public static Transaction InvalidTransaction() =>
        ChainCore.Tests.Fixtures.TestData.Spend(Wallets.NewWallet().Key, [new OutPoint(new Hash256(RandomNumberGenerator.GetBytes(32)), 0)], [new TxOut(new Amount(-1), [.. PayTo])]);

    public void Dispose()
    {
        Connections.Dispose();
        Chain.Dispose();
    }

    private IReadOnlyList<StoredHeader> StoredChain() =>
        [new StoredHeader(Params.GenesisHash, 0, Params.Genesis.Header, true, false),
         .. Blocks.Select((b, i) => new StoredHeader(b.Hash, i + 1, b.Header, true, false))];
}
