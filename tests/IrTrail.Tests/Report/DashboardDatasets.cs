using System.Text.Json;
using IrTrail.Core.Sample;
using IrTrail.Tests.Engine;

namespace IrTrail.Tests.Report;

/// <summary>
/// Datasets the dashboard tests share, converted once per test run: the project's fixtures, and a sample dataset
/// from New-IrTrailSampleData's engine with every planted scenario (and its ground-truth.json).
/// </summary>
public sealed class DashboardDatasets : IDisposable
{
    public string Root { get; } = DatasetTestHelpers.TempDir();
    public string Fixtures { get; }
    public string Sample { get; }
    /// <summary>The sample's log files (what the sample dataset was converted from).</summary>
    public string SampleLogs { get; }
    public JsonDocument GroundTruth { get; }

    public DashboardDatasets()
    {
        Fixtures = Path.Combine(Root, "fixtures-dataset");
        DatasetTestHelpers.ConvertAsync(Support.TestPaths.FixtureLogs, Fixtures).GetAwaiter().GetResult();

        var logs = Path.Combine(Root, "sample-logs");
        var result = new SampleDataGenerator(new SampleDataOptions
        {
            OutputPath = logs, EventCount = 4000, Duration = TimeSpan.FromHours(6), Seed = 11, MaxParallelism = 2,
        }).Generate();
        SampleLogs = result.Path;
        Sample = Path.Combine(Root, "sample-dataset");
        DatasetTestHelpers.ConvertAsync(result.Path, Sample).GetAwaiter().GetResult();
        GroundTruth = JsonDocument.Parse(File.ReadAllText(result.GroundTruthPath));
    }

    /// <summary>The sample's events as IrTrail's record reader gives them (no SQL): expectations independent of the queries.</summary>
    public IReadOnlyList<IrTrail.Core.Model.CloudTrailEvent> SampleEvents => _events ??=
        IrTrail.Core.Sources.LogFileNames.Enumerate(SampleLogs).SelectMany(f => Support.Reading.ReadFile(f).Events).ToList();
    private List<IrTrail.Core.Model.CloudTrailEvent>? _events;

    public JsonElement Scenario(string name) =>
        GroundTruth.RootElement.GetProperty("scenarios").EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);

    public void Dispose()
    {
        GroundTruth.Dispose();
        try { Directory.Delete(Root, true); } catch (IOException) { /* best effort */ }
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardDatasets>
{
    public const string Name = "Dashboard datasets";
}
