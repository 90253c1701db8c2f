using System.Text;
using ChainCore.Node.Network;

namespace ChainCore.Tests.Unit.Network;

/// <summary>The problem details of a peer's refusal, as <see cref="PeerWire.ParseProblem"/> reads them (cases found by fuzzing among them).</summary>
[TestFixture, Category("Unit"), Category("Network")]
public sealed class PeerWireProblemTests
{
    [Test]
    public void A_problem_gives_its_code_and_detail()
    {
        var (code, detail) = PeerWire.ParseProblem("{\"status\":400,\"detail\":\"no\",\"code\":\"bad-pow\"}"u8);

        code.ShouldBe("bad-pow");
        detail.ShouldBe("no");
    }

    [TestCase("{\"code\":5,\"detail\":[\"x\"]}")]
    [TestCase("[\"bad-pow\"]")]
    [TestCase("\"bad-pow\"")]
    [TestCase("{}")]
    public void A_problem_without_string_fields_gives_neither(string json)
    {
        var (code, detail) = PeerWire.ParseProblem(Encoding.UTF8.GetBytes(json));

        code.ShouldBeNull();
        detail.ShouldBeNull();
    }

    // Found by afl-fuzz: JsonDocument accepts invalid UTF-8 inside a string and only reading the
    // string throws, an InvalidOperationException that escaped the refusal's handling.
    [TestCase(new byte[] { 0x7b, 0x22, 0x73, 0x74, 0x61, 0x74, 0x75, 0x73, 0x22, 0x3a, 0x34, 0x30, 0x39, 0x2c, 0x22, 0x63, 0x6f, 0x64, 0x65, 0x22, 0x3a, 0x22, 0xf6, 0x6f, 0x2d, 0x73, 0x65, 0x73, 0x73, 0x69, 0x6f, 0x6e, 0x22, 0x7d })]
    [TestCase(new byte[] { 0x7b, 0x22, 0x64, 0x65, 0x74, 0x61, 0x69, 0x6c, 0x22, 0x3a, 0x22, 0x61, 0x88, 0x22, 0x7d })]
    public void A_problem_whose_strings_are_not_utf8_is_malformed(byte[] body)
    {
        var e = Should.Throw<PeerProtocolException>(() => PeerWire.ParseProblem(body));

        e.Code.ShouldBe(PeerCodes.MalformedAnswer);
    }

    [TestCase("{\"code\":")]
    [TestCase("")]
    public void A_problem_that_is_not_json_is_malformed(string body) =>
        Should.Throw<PeerProtocolException>(() => PeerWire.ParseProblem(Encoding.UTF8.GetBytes(body))).Code.ShouldBe(PeerCodes.MalformedAnswer);
}
