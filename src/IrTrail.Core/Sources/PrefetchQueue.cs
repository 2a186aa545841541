namespace IrTrail.Core.Sources;

/// <summary>
/// Keeps the next few small sources downloading while the current one is parsed, and hands them out in the order
/// they were queued. Per-object latency dominates reading many small CloudTrail files from S3; this overlaps it.
/// Only sources up to <see cref="MaxPrefetchBytes"/> are buffered ahead (in memory); larger ones stay streamed, so
/// memory is bounded by depth × that size.
/// </summary>
public sealed class PrefetchQueue(int depth = 8) : IDisposable
{
    public const long MaxPrefetchBytes = 8L << 20;

    private readonly Queue<ILogSource> _queue = new();
    private readonly CancellationTokenSource _cancel = new();

    public int Depth { get; } = Math.Max(1, depth);
    public int Count => _queue.Count;

    /// <summary>True when the caller should take the next source out before queuing more.</summary>
    public bool IsFull => _queue.Count >= Depth;

    public static bool CanPrefetch(ILogSource source) => source.Length is { } n && n <= MaxPrefetchBytes;

    /// <summary>Queues a source; a small one starts downloading now.</summary>
    public void Enqueue(ILogSource source) =>
        _queue.Enqueue(CanPrefetch(source) ? new Prefetched(source, BufferAsync(source, _cancel.Token)) : source);

    public ILogSource Dequeue() => _queue.Dequeue();

    private static async Task<MemoryStream> BufferAsync(ILogSource source, CancellationToken ct)
    {
        await Task.Yield(); // start off the pipeline thread
        await using var s = await source.OpenAsync(ct).ConfigureAwait(false);
        var buffer = new MemoryStream(source.Length is { } n ? (int)n : 0);
        await s.CopyToAsync(buffer, ct).ConfigureAwait(false);
        buffer.Position = 0;
        return buffer;
    }

    public void Dispose()
    {
        _cancel.Cancel();
        _queue.Clear();
        _cancel.Dispose();
    }

    /// <summary>A source whose bytes are already on their way; opening waits for them (errors surface here).</summary>
    private sealed class Prefetched(ILogSource inner, Task<MemoryStream> download) : ILogSource
    {
        public string Uri => inner.Uri;
        public long? Length => inner.Length;
        public async ValueTask<Stream> OpenAsync(CancellationToken cancellationToken) => await download.WaitAsync(cancellationToken).ConfigureAwait(false);
        public override string ToString() => Uri;
    }
}
