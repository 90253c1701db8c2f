using ChainCore.Core.Crypto;
using ChainCore.Core.Serialization;

namespace ChainCore.Tests.Unit.Crypto;

[TestFixture, Category("Unit"), Category("Crypto")]
public sealed class AddressTests
{
    [Test]
    public void Genesis_coinbase_address_of_Bitcoin_is_valid_with_its_known_hash160()
    {
        // Source: the output address of Bitcoin's genesis coinbase and its hash160.
        var address = Address.Parse("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");

        Hex.Encode(address.PublicKeyHash).ShouldBe("62e907b15cbf27d5425399ebf6f0fb50ebb88f18");
        address.ToString().ShouldBe("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
        Address.FromPublicKeyHash(address.PublicKeyHash).ShouldBe(address);
    }

    [Test]
    public void Private_key_one_gives_the_known_public_key_and_address()
    {
        // Source: secp256k1's generator G (SEC 2) and its well-known P2PKH address.
        var key = PrivateKey.FromHex("0000000000000000000000000000000000000000000000000000000000000001");

        key.PublicKey.ToHex().ShouldBe("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
        key.PublicKey.ToAddress().ToString().ShouldBe("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH");
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("invalid")]
    [TestCase("1234567890123456789012345678901234567890")]
    [TestCase("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")]
    [TestCase("2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc")]
    [TestCase("mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn")]
    [TestCase("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")]
    [TestCase("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN0")]
    [TestCase(" 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")]
    [TestCase("1111111111111111111114oLvT")]
    public void Invalid_addresses_are_refused(string? text)
    {
        Address.IsValid(text).ShouldBeFalse();
        Address.TryParse(text, out _).ShouldBeFalse();
        if (text is not null)
        {
            Should.Throw<FormatException>(() => Address.Parse(text)).Message.ShouldNotBeNullOrWhiteSpace();
        }
    }

    [Test]
    public void A_version_byte_other_than_zero_is_refused_even_with_a_good_checksum()
    {
        var hash = new byte[20];
        for (var version = 1; version < 256; version++)
        {
            Address.IsValid(Base58Check.Encode([(byte)version, .. hash])).ShouldBeFalse($"version {version}");
        }

        Address.IsValid(Base58Check.Encode([0, .. hash])).ShouldBeTrue();
    }

    [Test]
    public void A_payload_of_the_wrong_length_is_refused()
    {
        Address.IsValid(Base58Check.Encode(new byte[20])).ShouldBeFalse();
        Address.IsValid(Base58Check.Encode(new byte[22])).ShouldBeFalse();
        Should.Throw<ArgumentException>(() => Address.FromPublicKeyHash(new byte[19]));
    }

    [Test]
    public void Addresses_compare_by_value()
    {
        var a = Address.Parse("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
        var b = Address.Parse("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
        var c = Address.Parse("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH");

        a.Equals(b).ShouldBeTrue();
        a.Equals((object)b).ShouldBeTrue();
        a.GetHashCode().ShouldBe(b.GetHashCode());
        a.Equals(c).ShouldBeFalse();
        a.Equals(null).ShouldBeFalse();
    }

    [Test]
    public void Generated_keys_give_addresses_starting_with_1()
    {
        for (var i = 0; i < 20; i++)
        {
            var address = PrivateKey.Generate().PublicKey.ToAddress().ToString();
            address.ShouldStartWith("1");
            Address.IsValid(address).ShouldBeTrue();
        }
    }
}
