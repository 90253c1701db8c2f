namespace ChainCore.Node.Dashboard;

/// <summary>Counts the event streams open now and refuses one beyond <see cref="DashboardOptions.MaxStreams"/>.</summary>
public sealed class DashboardStreams(int maxStreams)
{
    private int _open;

    public int MaxStreams { get; } = maxStreams;

    public int Open => Volatile.Read(ref _open);

    /// <summary>Takes a slot, or returns false when all are taken; a taken slot is given back with <see cref="Leave"/>.</summary>
    public bool TryEnter()
    {
        while (true)
        {
            var open = Volatile.Read(ref _open);
            if (open >= MaxStreams)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _open, open + 1, open) == open)
            {
                return true;
            }
        }
    }

    public void Leave() => Interlocked.Decrement(ref _open);
}
