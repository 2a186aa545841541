using IrTrail.Core.Reading;
using IrTrail.Core.Sources;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Engine;

/// <summary>The project's own fixture logs: every shape, and every kind of bad input.</summary>
public class EventReaderFixtureTests
{
    [Theory]
    [InlineData("111122223333_CloudTrail_us-east-1_20240301T1000Z_fixture01.json.gz", 5, FileShape.Records)]
    [InlineData("envelope-pretty.json", 2, FileShape.Records)]
    [InlineData("array.json", 1, FileShape.Array)]
    [InlineData("empty-array.json", 0, FileShape.Array)]
    [InlineData("single.json", 1, FileShape.Objects)]
    [InlineData("lines.jsonl", 3, FileShape.Objects)]
    [InlineData("111122223333_CloudTrail-Digest_us-east-1_fixture_20240301T110000Z.json.gz", 0, FileShape.Digest)]
    public void Fixture_shapes(string file, int events, FileShape shape)
    {
        var o = Reading.ReadFile(Path.Combine(TestPaths.FixtureLogs, file));
        Assert.Empty(o.Issues);
        Assert.Equal(events, o.Events.Count);
        Assert.Equal(shape, o.Result.Shape);
        Assert.All(o.Events, e => Assert.EndsWith(file, e.SourceFile));
    }

    [Fact]
    public void Digest_is_reported_as_skipped()
    {
        var o = Reading.ReadFile(Path.Combine(TestPaths.FixtureLogs, "111122223333_CloudTrail-Digest_us-east-1_fixture_20240301T110000Z.json.gz"));
        Assert.Contains("digest", o.Result.SkippedReason);
    }

    [Fact]
    public void Corrupt_gzip_emits_the_events_before_the_fault_then_one_issue()
    {
        var o = Reading.ReadFile(Path.Combine(TestPaths.BadLogs, "corrupt.json.gz"));
        Assert.NotEmpty(o.Events);
        Assert.True(o.Events.Count < 400);
        var issue = Assert.Single(o.Issues);
        Assert.Equal(ReadFaultKind.CorruptCompression, issue.Kind);
        Assert.True(issue.EndedSource);
        Assert.Contains("corrupt.json.gz", issue.Message);
        Assert.Equal(o.Events.Count, issue.RecordIndex);
    }

    [Fact]
    public void Truncated_json_keeps_the_complete_record()
    {
        var o = Reading.ReadFile(Path.Combine(TestPaths.BadLogs, "truncated.json"));
        Assert.Single(o.Events);
        Assert.Equal(ReadFaultKind.MalformedJson, Assert.Single(o.Issues).Kind);
    }

    [Fact]
    public void Json_that_is_not_CloudTrail_is_one_issue()
    {
        var o = Reading.ReadFile(Path.Combine(TestPaths.BadLogs, "not-cloudtrail.json"));
        Assert.Empty(o.Events);
        var issue = Assert.Single(o.Issues);
        Assert.Equal(ReadFaultKind.NotCloudTrail, issue.Kind);
        Assert.True(issue.EndedSource);
    }

    [Fact]
    public void A_missing_file_is_an_unreadable_issue()
    {
        var o = Reading.ReadFile(Path.Combine(TestPaths.BadLogs, "no-such-file.json"));
        Assert.Equal(ReadFaultKind.Unreadable, Assert.Single(o.Issues).Kind);
    }

    [Fact]
    public void Filters_apply_while_reading()
    {
        var o = Reading.ReadFile(Path.Combine(TestPaths.FixtureLogs, "111122223333_CloudTrail_us-east-1_20240301T1000Z_fixture01.json.gz"),
            new EventFilter { SourceIPAddress = ["5.205.62.253"] });
        Assert.Equal("CreateUser", Assert.Single(o.Events).EventName);
        Assert.Equal(5, o.Result.Records);
    }

    [Fact]
    public void Folder_enumeration_takes_log_files_only()
    {
        var files = LogFileNames.Enumerate(TestPaths.Fixtures).Select(Path.GetFileName).ToList();
        Assert.Contains("lines.jsonl", files);
        Assert.Contains("corrupt.json.gz", files);
        Assert.DoesNotContain("make-fixtures.py", files);
    }
}

public class CorruptGzipTests
{
    [Fact]
    public void A_flipped_byte_in_gzip_data_is_a_compression_fault()
    {
        var o = Reading.ReadFile(Path.Combine(TestPaths.BadLogs, "bitflip.json.gz"));
        var issue = Assert.Single(o.Issues);
        Assert.Equal(ReadFaultKind.CorruptCompression, issue.Kind);
        Assert.True(o.Events.Count < 400);
    }
}

public class LogFileNamesTests
{
    [Fact]
    public void Folder_search_passes_over_IrTrails_own_bookkeeping()
    {
        var root = Directory.CreateTempSubdirectory("irtrail-names-").FullName;
        try
        {
            foreach (var f in new[] { "ground-truth.json", "irtrail-acquisition-20240101T000000Z.json", "_irtrail/manifest.jsonl", "AWSLogs/a.json.gz", "x/b.jsonl" })
            {
                var full = Path.Combine(root, f);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, "[]");
            }
            var found = LogFileNames.Enumerate(root).Select(p => Path.GetRelativePath(root, p).Replace('\\', '/')).ToList();
            Assert.Equal(["AWSLogs/a.json.gz", "x/b.jsonl"], found);
        }
        finally { Directory.Delete(root, true); }
    }
}

public class LogFileNamesWalkTests
{
    [Fact]
    public void A_folder_is_walked_in_the_ordinal_order_of_full_paths()
    {
        var root = Directory.CreateTempSubdirectory("irtrail-walk-").FullName;
        try
        {
            // Names where a file and a folder share a prefix: '.', '-' and '0' sort around the separator.
            string[] files = ["a.json", "a-b/x.json", "a/z.json", "a/b.json", "a0.json", "a/b/c.json", "B.json", "b/_irtrail/m.json", "b/c.json.gz"];
            foreach (var f in files)
            {
                var full = Path.Combine(root, f);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, "[]");
            }
            var walked = LogFileNames.Enumerate(root).ToList();
            var sorted = files.Where(f => !f.Contains("_irtrail")).Select(f => Path.Combine(root, f)).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(sorted, walked);
        }
        finally { Directory.Delete(root, true); }
    }

    [Fact]
    public void A_folder_that_cannot_be_listed_is_reported_and_passed_over_when_asked()
    {
        var missing = Path.Combine(Path.GetTempPath(), "irtrail-missing-" + Guid.NewGuid().ToString("N"));
        Assert.Throws<DirectoryNotFoundException>(() => LogFileNames.Enumerate(missing).ToList());
        var reported = new List<string>();
        Assert.Empty(LogFileNames.Enumerate(missing, (dir, _) => reported.Add(dir)));
        Assert.Equal([missing], reported);
    }
}
