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

    /// <summary>Counts sources handed out against sources the run has finished with.</summary>
    private sealed class Tracker(ConversionProgress progress)
    {
        public int Taken, MaxAhead, Enumerations;

        public IEnumerable<ILogSource> Over(IEnumerable<string> files)
        {
            Enumerations++;
            foreach (var f in files)
            {
                MaxAhead = Math.Max(MaxAhead, ++Taken - progress.FilesDone);
                yield return new LocalFileSource(f);
            }
        }
    }

    [Fact]
    public async Task TheInputIsTakenAsItIsReadNotListedFirst()
    {
        var src = WriteSources(60);
        var converter = new DatasetConverter();
        var tracker = new Tracker(converter.Progress);
        var dest = Path.Combine(DatasetTestHelpers.TempDir(), "ds");

        var r = await converter.RunAsync(tracker.Over(LogFileNames.Enumerate(src)),
            new ConversionOptions { Destination = dest, ThrottleLimit = 2 }, CancellationToken.None);

        Assert.Equal((60, 60, 60L), (r.Inputs, r.FilesRead, r.EventsWritten));
        Assert.Equal(1, tracker.Enumerations);
        // Read-ahead is two sources per reader (plus the one being handed out, and one just released before it is
        // counted as done); listing the input first would have taken all 60 before finishing one.
        Assert.InRange(tracker.MaxAhead, 1, 2 * 2 + 2);
        Assert.Equal(60, r.Sources.Count(s => s.Status == "converted" && s.Events == 1 && s.Sha256 is { Length: 64 }));
    }

    [Fact]
    public async Task APathTwiceIsReadOnceAnUnreadableFolderFailsSkipsHaveReasonsAndTheOutcomesComeFromTheManifest()
    {
        var src = WriteSources(2);
        var (a, b) = (Path.Combine(src, "f000.json"), Path.Combine(src, "f001.json"));
        var folder = Path.Combine(src, "locked");
        var (digest, empty) = (Path.Combine(src, "digest.json"), Path.Combine(src, "empty.json"));
        File.WriteAllText(digest, """{"digestStartTime":"2024-06-01T00:00:00Z","digestEndTime":"2024-06-01T01:00:00Z","logFiles":[]}""");
        File.WriteAllText(empty, "");
        ILogSource[] sources =
        [
            new LocalFileSource(a), new LocalFileSource(b), new LocalFileSource(a),
            new UnreadableSource(folder, new UnauthorizedAccessException("Access to the path is denied.")),
            new LocalFileSource(digest), new LocalFileSource(empty),
        ];
        var dest = Path.Combine(DatasetTestHelpers.TempDir(), "ds");
        var converter = new DatasetConverter();

        var r = await converter.RunAsync(sources, new ConversionOptions { Destination = dest, ThrottleLimit = 2 }, CancellationToken.None);

        Assert.Equal((6, 2, 1, 2, 2L), (r.Inputs, r.FilesRead, r.FilesFailed, r.FilesSkipped, r.EventsWritten));
        Assert.Equal(new Dictionary<string, int> { ["a CloudTrail digest file, not events"] = 1, ["empty"] = 1 }, r.SkipReasons);
        Assert.Contains(converter.Issues, i => i.Source == folder && i.Message.Contains("denied", StringComparison.Ordinal));
        var outcomes = r.Sources.ToList();
        Assert.Equal([a, b, folder, digest, empty], outcomes.Select(o => o.Uri));
        Assert.Equal(["converted", "converted", "failed", "skipped", "skipped"], outcomes.Select(o => o.Status));
        Assert.All(outcomes.Take(2), o => Assert.True(o.UncompressedBytes > 0));
        // The run's entry log was a temporary file: only the manifest remains.
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(dest, DatasetManifest.FolderName), "*" + DatasetManifest.TempSuffix));

        // A second run reads nothing again and lists no outcomes: those sources are already in.
        var again = await new DatasetConverter().RunAsync([new LocalFileSource(a), new LocalFileSource(b)],
            new ConversionOptions { Destination = dest, ThrottleLimit = 2 }, CancellationToken.None);
        Assert.Equal((2, 0), (again.FilesUnchanged, again.FilesWritten));
        Assert.Empty(again.Sources);
        Assert.Equal(5, r.Sources.Count());
    }
}
