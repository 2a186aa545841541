namespace IrTrail.Core.Report;

/// <summary>The dashboard could not be made (no dataset, unreadable data, an aggregate the engine rejected).</summary>
public sealed class DashboardException : Exception
{
    public DashboardException(string message, string? target = null, Exception? inner = null) : base(message, inner) => Target = target;

    /// <summary>The dataset or file the failure is about.</summary>
    public string? Target { get; }
}
