using System.Text.Json.Nodes;
using ChainCore.Core.Crypto;
using ChainCore.Core.Wallet;

namespace ChainCore.Tests.Unit.Crypto;

[TestFixture, Category("Unit"), Category("Crypto")]
public sealed class WalletFileTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("chaincore-wallet-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Unencrypted_wallet_round_trips_through_a_file()
    {
        var key = PrivateKey.Generate();
        var path = Path.Combine(_dir, "alice.json");

        WalletFile.Create(key).Save(path);
        var loaded = WalletFile.Load(path);

        loaded.IsEncrypted.ShouldBeFalse();
        loaded.Address.ShouldBe(key.PublicKey.ToAddress());
        loaded.Unlock().ToHex().ShouldBe(key.ToHex());
        Directory.GetFiles(_dir).ShouldBe([path], "no temporary file is left behind");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [Test]
    public void SaveNew_never_replaces_an_existing_file()
    {
        var path = Path.Combine(_dir, "alice.json");
        var first = WalletFile.Create(PrivateKey.Generate());
        first.SaveNew(path);

        Should.Throw<IOException>(() => WalletFile.Create(PrivateKey.Generate()).SaveNew(path));

        WalletFile.Load(path).Address.ShouldBe(first.Address);
        Directory.GetFiles(_dir).ShouldBe([path], "no temporary file is left behind");
    }

    [Test]
    public void Encrypted_wallet_opens_only_with_its_passphrase()
    {
        var key = PrivateKey.Generate();
        var path = Path.Combine(_dir, "bob.json");
        WalletFile.Create(key, "correct horse battery staple", KdfCost.Fast).Save(path);

        var loaded = WalletFile.Load(path);

        loaded.IsEncrypted.ShouldBeTrue();
        File.ReadAllText(path).ShouldNotContain(key.ToHex());
        loaded.Unlock("correct horse battery staple").ToHex().ShouldBe(key.ToHex());
        Should.Throw<WalletFileException>(() => loaded.Unlock("wrong")).Message.ShouldContain("passphrase");
        Should.Throw<WalletFileException>(() => loaded.Unlock(null));
    }

    [TestCase("salt")]
    [TestCase("nonce")]
    [TestCase("ciphertext")]
    [TestCase("tag")]
    public void Tampering_with_any_encrypted_field_is_detected(string field)
    {
        var json = JsonNode.Parse(WalletFile.Create(PrivateKey.Generate(), "pass", KdfCost.Fast).ToJson())!;
        var bytes = Convert.FromBase64String(json["encryption"]![field]!.GetValue<string>());
        bytes[0] ^= 0x01;
        json["encryption"]![field] = Convert.ToBase64String(bytes);

        var wallet = WalletFile.FromJson(json.ToJsonString());

        Should.Throw<WalletFileException>(() => wallet.Unlock("pass"));
    }

    [Test]
    public void Swapping_the_address_and_key_of_an_encrypted_wallet_is_detected()
    {
        var other = PrivateKey.Generate();
        var json = JsonNode.Parse(WalletFile.Create(PrivateKey.Generate(), "pass", KdfCost.Fast).ToJson())!;
        json["address"] = other.PublicKey.ToAddress().ToString();
        json["public_key"] = other.PublicKey.ToHex();

        var wallet = WalletFile.FromJson(json.ToJsonString());

        Should.Throw<WalletFileException>(() => wallet.Unlock("pass"));
    }

    [TestCase("not json")]
    [TestCase("{}")]
    [TestCase("""{"version": 2, "address": "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "public_key": "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", "private_key": "0000000000000000000000000000000000000000000000000000000000000001"}""")]
    [TestCase("""{"version": 1, "address": "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "public_key": "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", "private_key": "0000000000000000000000000000000000000000000000000000000000000001"}""")]
    [TestCase("""{"version": 1, "address": "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "public_key": "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", "private_key": "0000000000000000000000000000000000000000000000000000000000000002"}""")]
    [TestCase("""{"version": 1, "address": "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "public_key": "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", "private_key": "zz"}""")]
    [TestCase("""{"version": 1, "address": "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "public_key": "05", "private_key": "0000000000000000000000000000000000000000000000000000000000000001"}""")]
    [TestCase("""{"version": 1, "address": "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "public_key": "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"}""")]
    [TestCase("""{"version": 1, "address": "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "public_key": "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", "encryption": {"kdf": "scrypt", "salt": "AA==", "memory_kib": 256, "iterations": 1, "parallelism": 1, "cipher": "aes-256-gcm", "nonce": "AA==", "ciphertext": "AA==", "tag": "AA=="}}""")]
    public void Bad_wallet_files_are_refused_with_a_clear_message(string json) =>
        Should.Throw<WalletFileException>(() => WalletFile.FromJson(json)).Message.ShouldNotBeNullOrWhiteSpace();

    [Test]
    public void A_missing_file_is_a_clear_error() =>
        Should.Throw<WalletFileException>(() => WalletFile.Load(Path.Combine(_dir, "missing.json"))).Message.ShouldContain("missing.json");

    [Test]
    public void Bad_base64_in_an_encrypted_wallet_is_refused()
    {
        var json = JsonNode.Parse(WalletFile.Create(PrivateKey.Generate(), "pass", KdfCost.Fast).ToJson())!;
        json["encryption"]!["nonce"] = "***";

        Should.Throw<WalletFileException>(() => WalletFile.FromJson(json.ToJsonString()).Unlock("pass")).Message.ShouldContain("nonce");
    }
}
