using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace IrTrail.Tests.Support;

/// <summary>An in-process runspace with IrTrail's cmdlets registered directly (no module layout: that is Pester's job).</summary>
public sealed class TestRunspace : IDisposable
{
    private readonly Runspace _runspace;

    public TestRunspace()
    {
        var iss = InitialSessionState.CreateDefault2();
        foreach (var type in typeof(IrTrail.Common.IrTrailCmdlet).Assembly.GetTypes())
        {
            if (type.GetCustomAttributes(typeof(CmdletAttribute), false).FirstOrDefault() is CmdletAttribute a)
                iss.Commands.Add(new SessionStateCmdletEntry($"{a.VerbName}-{a.NounName}", type, null));
        }
        _runspace = RunspaceFactory.CreateRunspace(iss);
        _runspace.Open();
    }

    public sealed record Result(Collection<PSObject> Output, List<ErrorRecord> Errors, List<VerboseRecord> Verbose);

    public Result Run(string script, IDictionary<string, object?>? variables = null)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        if (variables is not null)
            foreach (var kv in variables) _runspace.SessionStateProxy.SetVariable(kv.Key, kv.Value);
        ps.AddScript(script);
        var output = ps.Invoke();
        return new Result(output, ps.Streams.Error.ToList(), ps.Streams.Verbose.ToList());
    }

    public void Dispose() => _runspace.Dispose();
}
