namespace ChainCore.Fuzz;

/// <summary>
/// Runs one input through a parser. It returns when the parser accepts the input (and what it built
/// keeps its invariants) or refuses it the expected way; anything else escapes, and that is a finding.
/// </summary>
public delegate void FuzzHarness(ReadOnlySpan<byte> input);

/// <summary>A parser that strangers feed, by the name the fuzz script and the saved corpus use.</summary>
public sealed record FuzzTarget(string Name, string Feeds, FuzzHarness Run);
