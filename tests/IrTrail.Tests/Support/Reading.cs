using IrTrail.Core.Model;
using IrTrail.Core.Reading;
using IrTrail.Core.Sources;

namespace IrTrail.Tests.Support;

/// <summary>Reads a source synchronously into events and issues, for assertions.</summary>
public static class Reading
{
    public sealed record Outcome(List<CloudTrailEvent> Events, List<ReadIssue> Issues, SourceReadResult Result);

    public static Outcome ReadFile(string path, EventFilter? filter = null) => Read(new LocalFileSource(path), filter);

    public static Outcome Read(ILogSource source, EventFilter? filter = null)
    {
        var result = new SourceReadResult { Source = source.Uri };
        var events = new List<CloudTrailEvent>();
        var issues = new List<ReadIssue>();
        var e = CloudTrailEventReader.ReadAsync(source, result, filter).GetAsyncEnumerator();
        while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult())
        {
            if (e.Current.Event is { } ev) events.Add(ev);
            if (e.Current.Issue is { } i) issues.Add(i);
        }
        return new Outcome(events, issues, result);
    }

    /// <summary>A source over bytes in memory, optionally delivered a few bytes per read to exercise buffer refills.</summary>
    public sealed class MemorySource(byte[] data, int chunk = int.MaxValue, string uri = "memory://test") : ILogSource
    {
        public string Uri => uri;
        public long? Length => data.Length;
        public ValueTask<Stream> OpenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<Stream>(new ChunkedStream(data, chunk));
    }

    private sealed class ChunkedStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
