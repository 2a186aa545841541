using System.Management.Automation;
using System.Management.Automation.Runspaces;
using IrTrail.Commands;
using IrTrail.Core.Model;
using IrTrail.Core.Sample;
using Xunit;

namespace IrTrail.Tests.Cmdlets;

/// <summary>New-IrTrailSampleData in an in-process runspace: binding, ShouldProcess, errors, and chaining by property name.</summary>
public sealed class NewIrTrailSampleDataCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "irtrail-cmdlet-sample-" + Guid.NewGuid().ToString("N"));
    private readonly Runspace _runspace;

    public NewIrTrailSampleDataCommandTests()
    {
        var iss = InitialSessionState.CreateDefault2();
        iss.Commands.Add(new SessionStateCmdletEntry("New-IrTrailSampleData", typeof(NewIrTrailSampleDataCommand), null));
        iss.Commands.Add(new SessionStateCmdletEntry("Get-IrTrailEvent", typeof(GetIrTrailEventCommand), null));
        _runspace = RunspaceFactory.CreateRunspace(iss);
        _runspace.Open();
    }

    private (List<PSObject> Output, List<ErrorRecord> Errors) Run(string script)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        try
        {
            var output = ps.Invoke().ToList();
            return (output, ps.Streams.Error.ToList());
        }
        catch (RuntimeException ex)
        {
            return ([], [.. ps.Streams.Error, ex.ErrorRecord]);
        }
    }

    [Fact]
    public void Output_pipes_into_Get_IrTrailEvent_by_property_name_without_errors()
    {
        var (output, errors) = Run($"New-IrTrailSampleData -Path '{_root}' -EventCount 800 -Duration 00:30:00 -Seed 2 -Scenario MaliciousIp, Persistence -Confirm:$false | Get-IrTrailEvent");
        Assert.Empty(errors);
        var events = output.Select(o => (CloudTrailEvent)o.BaseObject).ToList();
        Assert.True(events.Count >= 800);
        Assert.Contains(events, e => e.SourceIPAddress == "5.205.62.253");
        Assert.Contains(events, e => e.EventName == "CreateLoginProfile");
        Assert.DoesNotContain(events, e => e.EventName == "StopLogging"); // DefenseEvasion was not asked for
    }

    [Fact]
    public void WhatIf_writes_nothing_and_a_used_folder_needs_Force()
    {
        var (output, errors) = Run($"New-IrTrailSampleData -Path '{_root}' -EventCount 100 -Seed 2 -WhatIf");
        Assert.Empty(output);
        Assert.Empty(errors);
        Assert.False(Directory.Exists(Path.Combine(_root, "AWSLogs")));

        (output, errors) = Run($"New-IrTrailSampleData -Path '{_root}' -EventCount 100 -Duration 00:10:00 -Seed 2 -Scenario None -Confirm:$false");
        var first = Assert.IsType<SampleDataResult>(Assert.Single(output).BaseObject);
        Assert.Equal(100, first.Events);
        (_, errors) = Run($"New-IrTrailSampleData -Path '{_root}' -EventCount 100 -Seed 2 -Confirm:$false");
        Assert.Equal("OutputNotEmpty,IrTrail.Commands.NewIrTrailSampleDataCommand", Assert.Single(errors).FullyQualifiedErrorId);
        (output, errors) = Run($"New-IrTrailSampleData -Path '{_root}' -EventCount 50 -Duration 00:10:00 -Seed 2 -Scenario None -Force -Confirm:$false");
        Assert.Empty(errors);
        Assert.Equal(50, ((SampleDataResult)Assert.Single(output).BaseObject).Events);
    }

    [Fact]
    public void Invalid_settings_are_a_terminating_error_with_a_stable_id()
    {
        var (_, errors) = Run($"New-IrTrailSampleData -Path '{_root}' -Region 'mars-1' -Confirm:$false");
        var error = Assert.Single(errors);
        Assert.Equal("InvalidSampleSettings,IrTrail.Commands.NewIrTrailSampleDataCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("mars-1", error.Exception.Message);
    }

    public void Dispose()
    {
        _runspace.Dispose();
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }
}
