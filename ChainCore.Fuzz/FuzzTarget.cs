namespace ChainCore.Fuzz;

/// <summary>
/// Runs one input through a parser. It returns when the parser accepts the input (and what it built
/// keeps its invariants) or refuses it the expected way; anything else escapes, and that is a finding.
/// </summary>
public delegate void FuzzHarness(ReadOnlySpan<byte> input);

/// <summary>What a target's inputs look like; JSON targets are fuzzed with tests/fuzz/json.dict.</summary>
public enum FuzzFormat
{
    Binary,
    Text,
    Json,
}

/// <summary>A parser that strangers feed, by the name the fuzz script and the saved corpus use.</summary>
public sealed record FuzzTarget(string Name, FuzzFormat Format, string Feeds, FuzzHarness Run);
