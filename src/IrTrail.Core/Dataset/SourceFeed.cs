using System.Threading.Channels;
using IrTrail.Core.Sources;

namespace IrTrail.Core.Dataset;

/// <summary>
/// Hands a run's sources to its readers one at a time, in input order, and queues each for the consumer in that same
/// order. The input is enumerated lazily (a folder of a million delivery files is walked, not listed), and a path seen
/// before is passed over by a 128-bit hash of it: memory per source is that hash, not its path and outcome.
/// </summary>
internal sealed class SourceFeed<TSlot>(IEnumerable<ILogSource> sources, Func<ILogSource, int, UInt128, TSlot> makeSlot) : IDisposable
    where TSlot : class
{
    private readonly IEnumerator<ILogSource> _sources = sources.GetEnumerator();
    private readonly HashSet<UInt128> _seen = [];
    private readonly Channel<TSlot> _ordered = Channel.CreateUnbounded<TSlot>(new UnboundedChannelOptions { SingleReader = true });
    private bool _done;

    /// <summary>Sources given, the same path twice counted twice.</summary>
    public int Inputs { get; private set; }

    /// <summary>Distinct sources handed out so far.</summary>
    public int Count { get; private set; }

    /// <summary>The slots in input order, for the single consumer; completed after the last (or with the input's failure).</summary>
    public ChannelReader<TSlot> Ordered => _ordered.Reader;

    /// <summary>The next distinct source's slot (already queued for the consumer), or null at the end.</summary>
    public TSlot? Take()
    {
        lock (_seen)
        {
            if (_done) return null;
            try
            {
                while (_sources.MoveNext())
                {
                    var source = _sources.Current;
                    Inputs++;
                    var key = DatasetManifest.UriKey(source.Uri);
                    if (!_seen.Add(key)) continue;
                    var slot = makeSlot(source, Count++, key);
                    _ordered.Writer.TryWrite(slot);
                    return slot;
                }
                _done = true;
                _ordered.Writer.TryComplete();
                return null;
            }
            catch (Exception ex)
            {
                // The consumer sees the input's own failure rather than waiting for sources that never come.
                _done = true;
                _ordered.Writer.TryComplete(ex);
                throw;
            }
        }
    }

    public void Dispose()
    {
        lock (_seen)
        {
            _done = true;
            _ordered.Writer.TryComplete();
            _sources.Dispose();
        }
    }
}
