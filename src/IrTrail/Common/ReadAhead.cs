using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace IrTrail.Common;

/// <summary>
/// Runs an engine enumerator on a worker thread, a bounded number of items ahead of the pipeline thread, so fetching
/// rows from DuckDB overlaps with turning them into PSObjects. Exceptions surface from <see cref="MoveNext"/> in order
/// (after the items produced before them); disposing stops the worker (Select-Object -First, Ctrl+C) and waits for it,
/// so the engine's reader is released before the cmdlet goes on. The source gets the worker's own token, so stopping
/// also interrupts a query still searching for its next row.
/// </summary>
internal sealed class ReadAhead<T> : IEnumerator<T>
{
    private readonly BlockingCollection<T> _queue;
    private readonly CancellationTokenSource _stop;
    private readonly Task _worker;
    private Exception? _failure;

    private readonly Action? _idle;

    /// <summary>Reads an engine's async stream on the worker (blocking there is fine: it is the worker's only job).</summary>
    public ReadAhead(Func<CancellationToken, IAsyncEnumerable<T>> source, int capacity, CancellationToken cancellationToken, Action? idle = null)
        : this(token => Blocking(source(token), token), capacity, cancellationToken) => _idle = idle;

    private static IEnumerable<T> Blocking(IAsyncEnumerable<T> source, CancellationToken token)
    {
        var e = source.GetAsyncEnumerator(token);
        try
        {
            while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult()) yield return e.Current;
        }
        finally { e.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }

    public ReadAhead(Func<CancellationToken, IEnumerable<T>> source, int capacity, CancellationToken cancellationToken)
    {
        _queue = new BlockingCollection<T>(capacity);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = _stop.Token;
        _worker = Task.Run(() =>
        {
            try
            {
                foreach (var item in source(token)) _queue.Add(item, token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // Stopped by Dispose: the consumer no longer wants rows.
            }
            catch (Exception ex)
            {
                _failure = ex;
            }
            finally
            {
                _queue.CompleteAdding();
            }
        });
    }

    public T Current { get; private set; } = default!;
    object? System.Collections.IEnumerator.Current => Current;

    /// <summary>The next item; while waiting, <c>idle</c> runs on this (the pipeline) thread every quarter second, so a
    /// remote engine's progress can be written while its query is queued or running.</summary>
    public bool MoveNext()
    {
        T item;
        bool taken;
        if (_idle is null) taken = _queue.TryTake(out item!, Timeout.Infinite);
        else
        {
            while (!(taken = _queue.TryTake(out item!, 250)) && !_queue.IsCompleted) _idle();
            _idle();
        }
        if (taken)
        {
            Current = item;
            return true;
        }
        _worker.Wait();
        if (_failure is not null) ExceptionDispatchInfo.Throw(_failure);
        return false;
    }

    public void Reset() => throw new NotSupportedException();

    public void Dispose()
    {
        _stop.Cancel();
        // Unblock a worker waiting for room, then wait for it to release the engine's reader.
        while (_queue.TryTake(out _)) { }
        try { _worker.Wait(); } catch (AggregateException) { /* reported through MoveNext, or not wanted */ }
        _stop.Dispose();
        _queue.Dispose();
    }
}
