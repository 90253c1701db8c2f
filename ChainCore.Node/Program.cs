namespace ChainCore.Node;

/// <summary>The node's entry point. An explicit class (no top-level statements) so tests can host several nodes in one process.</summary>
public class Program
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddCommandLine(args, NodeOptions.CommandLine.ToDictionary());
        builder.AddChainCoreNode();
        var app = builder.Build();
        app.MapChainCoreNode();
        app.Run();
    }
}
