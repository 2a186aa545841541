using IrTrail.Core.Dataset;
using IrTrail.Core.Sources;
using Xunit;

namespace IrTrail.Tests.Engine;

/// <summary>
/// A run takes its sources as its readers get to them, never listing them first, and keeps nothing per source once it
/// is consumed: its outcome goes to the manifest, from which the result's Sources are read.
/// </summary>
public sealed class DatasetSourceFeedTests
{
    private static string WriteSources(int count)
    {
        var src = Path.Combine(DatasetTestHelpers.TempDir(), "in");
        Directory.CreateDirectory(src);
        for (var f = 0; f < count; f++)
            File.WriteAllText(Path.Combine(src, $"f{f:D3}.json"),
                $$"""{"Records":[{"eventVersion":"1.08","eventTime":"2024-06-01T00:{{f / 60:D2}}:{{f % 60:D2}}Z","eventName":"E","awsRegion":"eu-west-1","recipientAccountId":"012345678901","eventID":"00000000-0000-0000-0000-{{f:D12}}"}]}""");
        return src;
    }

    /// <summary>Counts sources handed out against sources whose stream the reader has closed.</summary>
    private sealed class Tracker
    {
        public int Taken, Closed, MaxAhead, Enumerations;

        public IEnumerable<ILogSource> Over(IEnumerable<string> files)
        {
            Interlocked.Increment(ref Enumerations);
            foreach (var f in files)
            {
                var ahead = Interlocked.Increment(ref Taken) - Volatile.Read(ref Closed);
                MaxAhead = Math.Max(MaxAhead, ahead);
                yield return new TrackedSource(new LocalFileSource(f), this);
            }
        }
    }

    private sealed class TrackedSource(ILogSource inner, Tracker tracker) : ILogSource
    {
        public string Uri => inner.Uri;
        public long? Length => inner.Length;
        public async ValueTask<Stream> OpenAsync(CancellationToken cancellationToken) =>
            new ClosingStream(await inner.OpenAsync(cancellationToken), tracker);
    }

    private sealed class ClosingStream(Stream inner, Tracker tracker) : Stream
    {
        private int _closed;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _closed, 1) == 0) { Interlocked.Increment(ref tracker.Closed); inner.Dispose(); }
            base.Dispose(disposing);
        }
    }

    [Fact]
    public async Task TheInputIsTakenAsItIsReadNotListedFirst()
    {
        var src = WriteSources(60);
        var tracker = new Tracker();
        var dest = Path.Combine(DatasetTestHelpers.TempDir(), "ds");

        var r = await new DatasetConverter().RunAsync(tracker.Over(LogFileNames.Enumerate(src)),
            new ConversionOptions { Destination = dest, ThrottleLimit = 2 }, CancellationToken.None);

        Assert.Equal((60, 60, 60L), (r.Inputs, r.FilesRead, r.EventsWritten));
        Assert.Equal(1, tracker.Enumerations);
        // Read-ahead is two sources per reader; listing the input first would have taken all 60 before closing one.
        Assert.InRange(tracker.MaxAhead, 1, 2 * 2 + 1);
        Assert.Equal(60, r.Sources.Count(s => s.Status == "converted" && s.Events == 1 && s.Sha256 is { Length: 64 }));
    }

    [Fact]
    public async Task APathTwiceIsReadOnceAnUnreadableFolderFailsAndTheOutcomesComeFromTheManifest()
    {
        var src = WriteSources(2);
        var (a, b) = (Path.Combine(src, "f000.json"), Path.Combine(src, "f001.json"));
        var folder = Path.Combine(src, "locked");
        ILogSource[] sources =
        [
            new LocalFileSource(a), new LocalFileSource(b), new LocalFileSource(a),
            new UnreadableSource(folder, new UnauthorizedAccessException("Access to the path is denied.")),
        ];
        var dest = Path.Combine(DatasetTestHelpers.TempDir(), "ds");
        var converter = new DatasetConverter();

        var r = await converter.RunAsync(sources, new ConversionOptions { Destination = dest, ThrottleLimit = 2 }, CancellationToken.None);

        Assert.Equal((4, 2, 1, 2L), (r.Inputs, r.FilesRead, r.FilesFailed, r.EventsWritten));
        Assert.Contains(converter.Issues, i => i.Source == folder && i.Message.Contains("denied", StringComparison.Ordinal));
        var outcomes = r.Sources.ToList();
        Assert.Equal([a, b, folder], outcomes.Select(o => o.Uri));
        Assert.Equal(["converted", "converted", "failed"], outcomes.Select(o => o.Status));
        Assert.All(outcomes.Take(2), o => Assert.True(o.UncompressedBytes > 0));
        // The run's entry log was a temporary file: only the manifest remains.
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(dest, DatasetManifest.FolderName), "*" + DatasetManifest.TempSuffix));

        // A second run reads nothing again and lists no outcomes: those sources are already in.
        var again = await new DatasetConverter().RunAsync([new LocalFileSource(a), new LocalFileSource(b)],
            new ConversionOptions { Destination = dest, ThrottleLimit = 2 }, CancellationToken.None);
        Assert.Equal((2, 0), (again.FilesUnchanged, again.FilesWritten));
        Assert.Empty(again.Sources);
        Assert.Equal(3, r.Sources.Count());
    }
}
