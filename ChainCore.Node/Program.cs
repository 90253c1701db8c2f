namespace ChainCore.Node;

public class Program
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var app = builder.Build();
        app.MapGet("/health/live", () => TypedResults.Ok(new { status = "live" }));
        app.Run();
    }
}
