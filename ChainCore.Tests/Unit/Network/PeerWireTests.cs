using System.Text;
using ChainCore.Core.Consensus;
using ChainCore.Core.Primitives;
using ChainCore.Core.Serialization;
using ChainCore.Node.Network;

namespace ChainCore.Tests.Unit.Network;

[TestFixture, Category("Unit"), Category("Network")]
public sealed class PeerWireTests
{
    private static readonly string Header = Hex.Encode(new BlockHeader(1, default, default, 1, ConsensusParams.Regtest.PowLimitBits, 0).Serialize());

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static string HeadersAnswer(int count) => $$"""{"count":{{count}},"headers":[{{string.Join(',', Enumerable.Repeat($"\"{Header}\"", count))}}]}""";

    [Test]
    public void A_headers_answer_of_two_thousand_fits_its_cap_and_one_more_is_misbehaviour()
    {
        var full = HeadersAnswer(PeerWire.MaxHeaders);
        Utf8(full).Length.ShouldBeLessThanOrEqualTo(PeerWire.MaxHeadersAnswerBytes);
        PeerWire.ParseHeadersAnswer(Utf8(full)).Count.ShouldBe(PeerWire.MaxHeaders);

        Should.Throw<PeerProtocolException>(() => PeerWire.ParseHeadersAnswer(Utf8(HeadersAnswer(PeerWire.MaxHeaders + 1)))).Code.ShouldBe(PeerCodes.TooManyHeaders);
    }

    [TestCase("")]
    [TestCase("null")]
    [TestCase("[]")]
    [TestCase("{\"headers\":null}")]
    [TestCase("{\"headers\":[\"00\"]}")]
    [TestCase("{\"headers\":[42]}")]
    [TestCase("{\"headers\":[\"zz\"")]
    public void A_malformed_headers_answer_is_a_protocol_violation(string json) =>
        Should.Throw<PeerProtocolException>(() => PeerWire.ParseHeadersAnswer(Utf8(json)));

    [Test]
    public void An_announcement_is_bounded_in_headers_and_txids()
    {
        var txid = new string('a', 64);
        var (headers, txids) = PeerWire.ParseAnnouncement(Utf8($$"""{"headers":["{{Header}}"],"tx_ids":["{{txid}}"]}"""));
        headers.Count.ShouldBe(1);
        txids.Single().ToString().ShouldBe(txid);

        var nine = string.Join(',', Enumerable.Repeat($"\"{Header}\"", PeerWire.MaxAnnouncedHeaders + 1));
        Should.Throw<PeerProtocolException>(() => PeerWire.ParseAnnouncement(Utf8($$"""{"headers":[{{nine}}]}""")));
        Should.Throw<PeerProtocolException>(() => PeerWire.ParseAnnouncement(Utf8("""{"tx_ids":["nope"]}""")));
    }

    [Test]
    public void A_locator_holds_at_most_101_hashes_of_64_hex_digits()
    {
        var hash = new string('c', 64);
        PeerWire.ParseLocator(string.Join(',', Enumerable.Repeat(hash, 101))).Count.ShouldBe(101);
        Should.Throw<PeerProtocolException>(() => PeerWire.ParseLocator(string.Join(',', Enumerable.Repeat(hash, 102))));
        Should.Throw<PeerProtocolException>(() => PeerWire.ParseLocator(""));
        Should.Throw<PeerProtocolException>(() => PeerWire.ParseLocator("123"));
    }

    [Test]
    public void A_session_token_is_64_lowercase_hex_digits()
    {
        PeerWire.IsSessionToken(new string('a', 64)).ShouldBeTrue();
        PeerWire.IsSessionToken(new string('A', 64)).ShouldBeFalse();
        PeerWire.IsSessionToken(new string('a', 63)).ShouldBeFalse();
        PeerWire.IsSessionToken(null).ShouldBeFalse();
        Should.Throw<PeerProtocolException>(() => PeerWire.ParseConfirmation(Utf8("""{"session":"short"}""")));
    }

    [Test]
    public async Task An_answer_longer_than_its_cap_is_read_no_further()
    {
        using var content = new StreamContent(new MemoryStream(new byte[100_000]));
        (await Should.ThrowAsync<PeerProtocolException>(() => PeerClient.ReadCappedAsync(content, 50_000, CancellationToken.None))).Code.ShouldBe(PeerCodes.OversizedAnswer);

        using var declared = new ByteArrayContent(new byte[10]);
        declared.Headers.ContentLength = 10;
        (await PeerClient.ReadCappedAsync(declared, 10, CancellationToken.None)).Length.ShouldBe(10);
    }
}
