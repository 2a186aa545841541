using IrTrail.Tests.Engine;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Cmdlets;

/// <summary>Export-IrTrailDashboard in a runspace: chaining from the converter, ShouldProcess, -Force, errors.</summary>
public sealed class ExportIrTrailDashboardCommandTests : IDisposable
{
    private readonly TestRunspace _ps = new();
    private readonly string _dir = DatasetTestHelpers.TempDir();

    public void Dispose()
    {
        _ps.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { /* best effort */ }
    }

    private TestRunspace.Result Run(string script) =>
        _ps.Run(script, new Dictionary<string, object?> { ["logs"] = TestPaths.FixtureLogs, ["dir"] = _dir });

    [Fact]
    public void Converter_result_pipes_in_and_the_file_info_comes_out()
    {
        var r = Run("""
            Convert-IrTrailToParquet -Path $logs -Destination (Join-Path $dir ds) -Confirm:$false |
                Export-IrTrailDashboard -Destination (Join-Path $dir 'd.html') -Title 'Case 42' -IpAddress 5.205.62.253 -Confirm:$false
            """);
        Assert.Empty(r.Errors);
        var file = Assert.IsType<FileInfo>(Assert.Single(r.Output).BaseObject);
        Assert.Equal(Path.Combine(_dir, "d.html"), file.FullName);
        var html = File.ReadAllText(file.FullName);
        Assert.Contains("<title>Case 42</title>", html);
        Assert.Contains("5.205.62.253", html);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp-*"));
    }

    [Fact]
    public void WhatIf_writes_nothing_and_an_existing_file_needs_Force()
    {
        Run("Convert-IrTrailToParquet -Path $logs -Destination (Join-Path $dir ds) -Confirm:$false | Out-Null");
        var target = Path.Combine(_dir, "d.html");
        var r = Run("Export-IrTrailDashboard (Join-Path $dir ds) (Join-Path $dir 'd.html') -WhatIf");
        Assert.Empty(r.Output);
        Assert.False(File.Exists(target));

        File.WriteAllText(target, "old");
        r = Run("Export-IrTrailDashboard (Join-Path $dir ds) (Join-Path $dir 'd.html') -Confirm:$false");
        var error = Assert.Single(r.Errors);
        Assert.Equal("DashboardExists,IrTrail.Commands.ExportIrTrailDashboardCommand", error.FullyQualifiedErrorId);
        Assert.Equal(target, error.TargetObject);
        Assert.Equal("old", File.ReadAllText(target));

        r = Run("Export-IrTrailDashboard (Join-Path $dir ds) (Join-Path $dir 'd.html') -Force -Confirm:$false");
        Assert.Empty(r.Errors);
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(target));
    }

    [Fact]
    public void A_folder_destination_gets_a_file_named_after_the_dataset()
    {
        var r = Run("""
            Convert-IrTrailToParquet -Path $logs -Destination (Join-Path $dir case.parquet) -Confirm:$false | Out-Null
            $out = New-Item -ItemType Directory (Join-Path $dir reports)
            Export-IrTrailDashboard -Path (Join-Path $dir case.parquet) -Destination $out.FullName -Confirm:$false
            """);
        Assert.Empty(r.Errors);
        Assert.Equal(Path.Combine(_dir, "reports", "case.parquet.dashboard.html"), ((FileInfo)Assert.Single(r.Output).BaseObject).FullName);
    }

    [Fact]
    public void Missing_or_empty_dataset_is_an_error_naming_it_and_the_pipeline_goes_on()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "empty"));
        var r = Run("""
            (Join-Path $dir nope), (Join-Path $dir empty) | Export-IrTrailDashboard -Destination (Join-Path $dir 'x.html') -Confirm:$false
            'after'
            """);
        Assert.Equal(2, r.Errors.Count);
        Assert.Equal("DatasetNotFound,IrTrail.Commands.ExportIrTrailDashboardCommand", r.Errors[0].FullyQualifiedErrorId);
        Assert.Equal(Path.Combine(_dir, "nope"), r.Errors[0].TargetObject);
        Assert.Equal("DashboardFailed,IrTrail.Commands.ExportIrTrailDashboardCommand", r.Errors[1].FullyQualifiedErrorId);
        Assert.Contains("no Parquet files", r.Errors[1].Exception.Message);
        Assert.Equal("after", Assert.Single(r.Output).BaseObject);
        Assert.False(File.Exists(Path.Combine(_dir, "x.html")));
    }

    [Fact]
    public void Start_after_end_is_rejected()
    {
        var r = Run("Export-IrTrailDashboard -Path $dir -Destination (Join-Path $dir 'x.html') -StartTime 2024-03-02 -EndTime 2024-03-01");
        Assert.Contains(r.Errors, e => e.FullyQualifiedErrorId.StartsWith("TimeRangeEmpty", StringComparison.Ordinal));
    }
}
