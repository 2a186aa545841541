using System.Management.Automation;

namespace IrTrail.Common;

/// <summary>
/// Base for IrTrail cmdlets: one cancellation token per invocation, cancelled by Ctrl+C (StopProcessing), and
/// helpers to wait on engine tasks from the pipeline thread (the only thread that may write to the pipeline).
/// </summary>
public abstract class IrTrailCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cancel = new();

    protected CancellationToken CancellationToken => _cancel.Token;

    protected override void StopProcessing() => _cancel.Cancel();

    /// <summary>
    /// PowerShell turns -Debug (without -Verbose) into "Inquire" for a compiled cmdlet's verbose messages, which
    /// prompts at every one — and fails outright in non-interactive runbooks. Route them to the debug stream then.
    /// </summary>
    protected new void WriteVerbose(string text)
    {
        var bound = MyInvocation.BoundParameters;
        if (bound.ContainsKey("Debug") && !bound.ContainsKey("Verbose")) WriteDebug(text);
        else base.WriteVerbose(text);
    }

    protected T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    protected T Wait<T>(ValueTask<T> task) => task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();

    protected void Wait(Task task) => task.GetAwaiter().GetResult();

    /// <summary>Enumerates an async stream synchronously on the pipeline thread.</summary>
    protected IEnumerable<T> Iterate<T>(IAsyncEnumerable<T> source)
    {
        var e = source.GetAsyncEnumerator(CancellationToken);
        try
        {
            while (Wait(e.MoveNextAsync())) yield return e.Current;
        }
        finally
        {
            var d = e.DisposeAsync();
            if (!d.IsCompletedSuccessfully) d.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// ShouldProcess where -Force skips the confirmation prompt but -WhatIf (given, or $WhatIfPreference) always wins:
    /// with -Force and no WhatIf in effect the action goes ahead without asking.
    /// </summary>
    protected bool ShouldProcess(string target, string action, bool force) =>
        force && !WhatIfInEffect() || ShouldProcess(target, action);

    /// <summary>-WhatIf as given to this command, else the caller's $WhatIfPreference.</summary>
    protected bool WhatIfInEffect() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w)
            ? w is SwitchParameter { IsPresent: true } || w is bool b && b
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

    /// <summary>Writes an error record for a target and continues (non-terminating).</summary>
    protected void WriteError(Exception exception, string errorId, ErrorCategory category, object? target, string? recommendedAction = null)
    {
        var record = new ErrorRecord(exception, errorId, category, target);
        if (recommendedAction is not null) record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = recommendedAction };
        WriteError(record);
    }

    /// <summary>Releases what a cmdlet holds for the invocation; called when the pipeline ends, stopped or not (a stopped
    /// pipeline never reaches EndProcessing).</summary>
    protected virtual void ReleaseResources() { }

    public void Dispose()
    {
        ReleaseResources();
        _cancel.Dispose();
        GC.SuppressFinalize(this);
    }
}
