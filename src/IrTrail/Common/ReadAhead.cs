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

    public bool MoveNext()
    {
        if (_queue.TryTake(out var item, Timeout.Infinite))
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
