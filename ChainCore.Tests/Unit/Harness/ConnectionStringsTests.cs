using ChainCore.Tests.Harness.Postgres;

namespace ChainCore.Tests.Unit.Harness;

[TestFixture, Category("Unit")]
public sealed class ConnectionStringsTests
{
    [TestCase("Host=db;Username=me;Password=hunter2;Database=x")]
    [TestCase("Host=db;Username=me;PWD=hunter2")]
    [TestCase("host=db;password='hunter2';")]
    public void Redact_hides_the_password(string connectionString)
    {
        var redacted = ConnectionStrings.Redact(connectionString);

        redacted.ShouldNotContain("hunter2");
        redacted.ShouldContain(ConnectionStrings.Mask);
        redacted.ShouldContain("db");
    }

    [Test]
    public void Redact_leaves_a_string_without_password_as_it_is() =>
        ConnectionStrings.Redact("Host=db;Username=me").ShouldNotContain(ConnectionStrings.Mask);

    [Test]
    public void A_malformed_string_is_still_redacted() =>
        ConnectionStrings.Redact("Host=db;Password=hunter2;=;;Bogus").ShouldNotContain("hunter2");

    [Test]
    public void RedactIn_masks_the_password_wherever_a_message_quotes_it()
    {
        const string cs = "Host=db;Username=me;Password=s3cr3t-Value";

        var text = ConnectionStrings.RedactIn($"failed for '{cs}' (the password s3cr3t-Value was refused)", cs);

        text.ShouldNotContain("s3cr3t-Value");
    }
}
