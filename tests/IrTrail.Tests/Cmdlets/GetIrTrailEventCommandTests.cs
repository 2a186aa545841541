using IrTrail.Core.Model;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Cmdlets;

public class GetIrTrailEventCommandTests : IDisposable
{
    private readonly TestRunspace _ps = new();
    private static readonly Dictionary<string, object?> Vars = new()
    {
        ["logs"] = TestPaths.FixtureLogs,
        ["bad"] = TestPaths.BadLogs,
    };

    public void Dispose() => _ps.Dispose();

    [Fact]
    public void A_folder_is_read_recursively_into_typed_events_with_a_summary()
    {
        var r = _ps.Run("Get-IrTrailEvent -Path $logs -Verbose", Vars);
        Assert.Empty(r.Errors);
        Assert.Equal(12, r.Output.Count);
        Assert.All(r.Output, o => Assert.IsType<CloudTrailEvent>(o.BaseObject));
        var summary = r.Verbose.Last().Message;
        Assert.Contains("6 files read", summary);
        Assert.Contains("1 skipped", summary);
        Assert.Contains("digest", summary);
        Assert.Contains("12 events emitted", summary);
    }

    [Fact]
    public void Bad_files_give_one_error_each_and_reading_goes_on()
    {
        var r = _ps.Run("Get-IrTrailEvent -Path $bad, $logs -Verbose", Vars);
        var ids = r.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]).Order().ToList();
        Assert.Equal(["CorruptGzip", "CorruptGzip", "MalformedJson", "NotCloudTrail"], ids);
        Assert.All(r.Errors, e => Assert.IsType<string>(e.TargetObject));
        Assert.Contains(r.Errors, e => ((string)e.TargetObject).EndsWith("truncated.json"));
        Assert.Equal(System.Management.Automation.ErrorCategory.InvalidData, r.Errors.First(e => e.FullyQualifiedErrorId.StartsWith("CorruptGzip")).CategoryInfo.Category);
        // Events before each fault, then every good file.
        Assert.True(r.Output.Count > 12 + 1);
        Assert.Contains("4 failed", r.Verbose.Last().Message);
    }

    [Fact]
    public void A_missing_path_is_an_error_and_the_rest_is_read()
    {
        var r = _ps.Run("Get-IrTrailEvent -Path (Join-Path $logs 'nope.json'), (Join-Path $logs 'array.json')", Vars);
        Assert.Equal("PathNotFound", Assert.Single(r.Errors).FullyQualifiedErrorId.Split(',')[0]);
        Assert.Single(r.Output);
    }

    [Fact]
    public void Get_ChildItem_pipes_in_through_PSPath()
    {
        var r = _ps.Run("Get-ChildItem $logs -Filter *.jsonl | Get-IrTrailEvent", Vars);
        Assert.Empty(r.Errors);
        Assert.Equal(3, r.Output.Count);
    }

    [Fact]
    public void Wildcards_and_filters()
    {
        var r = _ps.Run("Get-IrTrailEvent -Path (Join-Path $logs '*.json.gz') -EventName Create* -SourceIPAddress 5.205.*", Vars);
        var e = (CloudTrailEvent)Assert.Single(r.Output).BaseObject;
        Assert.Equal("CreateUser", e.EventName);
        Assert.Equal("backdoor", _ps.Run("(Get-IrTrailEvent -Path (Join-Path $logs '*.json.gz') -EventName CreateUser).RequestParameters.userName", Vars).Output.Single().BaseObject);
    }

    [Fact]
    public void ReadOnly_and_WriteOnly_together_are_refused()
    {
        var r = _ps.Run("try { Get-IrTrailEvent -Path $logs -ReadOnly -WriteOnly } catch { $_.FullyQualifiedErrorId }", Vars);
        Assert.StartsWith("ReadOnlyAndWriteOnly", (string)r.Output.Single().BaseObject);
    }

    [Fact]
    public void Events_work_with_standard_cmdlets()
    {
        var csv = _ps.Run("Get-IrTrailEvent -Path $logs | Where-Object EventName -eq PutBucketTagging | ConvertTo-Csv | Select-Object -Skip 1", Vars);
        var line = (string)Assert.Single(csv.Output).BaseObject;
        Assert.Contains("\"\"Tagging\"\"", line); // RequestParameters as its original JSON
        var json = _ps.Run("Get-IrTrailEvent -Path $logs | Select-Object -First 1 | ConvertTo-Json -Depth 6", Vars);
        Assert.Contains("\"EventName\"", (string)json.Output.Single().BaseObject);
        var groups = _ps.Run("Get-IrTrailEvent -Path $logs | Group-Object EventSource | Sort-Object Count -Descending | Select-Object -First 1 -ExpandProperty Name", Vars);
        Assert.Equal("s3.amazonaws.com", groups.Output.Single().BaseObject);
    }
}
