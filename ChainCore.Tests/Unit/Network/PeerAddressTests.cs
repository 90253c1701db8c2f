using System.Net;
using ChainCore.Node.Network;

namespace ChainCore.Tests.Unit.Network;

[TestFixture, Category("Unit"), Category("Network")]
public sealed class PeerAddressTests
{
    [TestCase("http://127.0.0.1:5001", "http://127.0.0.1:5001")]
    [TestCase("HTTP://Node-3/", "http://node-3")]
    [TestCase("https://example.org:443", "https://example.org")]
    [TestCase("http://[2001:db8::1]:8333", "http://[2001:db8::1]:8333")]
    public void An_address_is_scheme_host_and_port_in_one_canonical_form(string text, string canonical)
    {
        PeerAddress.TryParse(text, out var address, out var error).ShouldBeTrue(error);
        address!.Value.ShouldBe(canonical);
        address.ShouldBe(PeerAddress.Parse(canonical));
    }

    [TestCase("")]
    [TestCase("node-3:5000")]
    [TestCase("ftp://node-3")]
    [TestCase("file:///etc/passwd")]
    [TestCase("http://node-3/p2p")]
    [TestCase("http://node-3:1/internal/admin/api")]
    [TestCase("http://node-3:1/?x=1")]
    [TestCase("http://node-3:1/#f")]
    [TestCase("http://user:pass@node-3:1")]
    public void Anything_more_or_less_than_scheme_host_and_port_is_refused_with_a_reason(string text)
    {
        PeerAddress.TryParse(text, out var address, out var error).ShouldBeFalse();
        address.ShouldBeNull();
        error.ShouldNotBeNullOrWhiteSpace();
    }

    [Test]
    public void A_very_long_address_is_refused() =>
        PeerAddress.TryParse("http://" + new string('a', 400) + ":1", out _, out _).ShouldBeFalse();

    [TestCase("http://8.8.8.8:8333", true)]
    [TestCase("http://203.0.113.9:8333", true)]
    [TestCase("http://[2001:4860::8888]:8333", true)]
    [TestCase("http://127.0.0.1:1", false)]
    [TestCase("http://10.1.2.3:1", false)]
    [TestCase("http://172.16.0.1:1", false)]
    [TestCase("http://172.31.255.255:1", false)]
    [TestCase("http://172.32.0.1:1", true)]
    [TestCase("http://192.168.0.1:1", false)]
    [TestCase("http://169.254.1.1:1", false)]
    [TestCase("http://100.64.0.1:1", false)]
    [TestCase("http://0.0.0.0:1", false)]
    [TestCase("http://224.0.0.1:1", false)]
    [TestCase("http://[::1]:1", false)]
    [TestCase("http://[fe80::1]:1", false)]
    [TestCase("http://[fc00::1]:1", false)]
    [TestCase("http://[::ffff:10.0.0.1]:1", false)]
    [TestCase("http://localhost:1", false)]
    [TestCase("http://some-name.example:1", false)]
    public void Only_public_ip_addresses_are_routable(string text, bool routable) =>
        PeerAddress.Parse(text).IsRoutable.ShouldBe(routable);

    [Test]
    public void Groups_are_ipv4_slash_16_ipv6_slash_32_or_the_name()
    {
        PeerAddress.Parse("http://203.0.113.9:1").Group.ShouldBe(PeerAddress.Parse("http://203.0.200.1:2").Group);
        PeerAddress.Parse("http://203.0.113.9:1").Group.ShouldNotBe(PeerAddress.Parse("http://203.1.113.9:1").Group);
        PeerAddress.Parse("http://[2001:db8:1::1]:1").Group.ShouldBe(PeerAddress.Parse("http://[2001:db8:ffff::2]:1").Group);
        PeerAddress.Parse("http://node-3:1").Group.ShouldBe("node-3");
    }

    [Test]
    public void Loopback_and_unknown_remote_addresses_are_local()
    {
        PeerAddress.IsLocal(null).ShouldBeTrue();
        PeerAddress.IsLocal(IPAddress.Loopback).ShouldBeTrue();
        PeerAddress.IsLocal(IPAddress.IPv6Loopback).ShouldBeTrue();
        PeerAddress.IsLocal(IPAddress.Parse("::ffff:127.0.0.1")).ShouldBeTrue();
        PeerAddress.IsLocal(IPAddress.Parse("198.51.100.7")).ShouldBeFalse();
    }
}
