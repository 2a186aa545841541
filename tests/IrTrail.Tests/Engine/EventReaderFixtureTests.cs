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
