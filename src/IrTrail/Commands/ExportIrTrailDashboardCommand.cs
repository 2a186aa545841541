using System.Diagnostics;
using System.Management.Automation;
using IrTrail.Common;
using IrTrail.Query;
using IrTrail.Core.Query;
using IrTrail.Core.Report;

namespace IrTrail.Commands;

/// <summary>
/// Writes one self-contained, offline HTML dashboard of a converted dataset: aggregates computed in DuckDB, charts
/// from the embedded charting library, no network request when opened.
/// </summary>
[Cmdlet(VerbsData.Export, "IrTrailDashboard", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FileInfo))]
public sealed class ExportIrTrailDashboardCommand : IrTrailCmdlet
{
    /// <summary>The dataset folder (Convert-IrTrailToParquet's Path binds here from the pipeline).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "DatasetPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The HTML file to write (or an existing folder: the file is then named after the dataset).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = "";

    [Parameter] public DateTime? StartTime { get; set; }

    [Parameter] public DateTime? EndTime { get; set; }

    [Parameter]
    [Alias("SourceIPAddress")]
    [ValidateNotNullOrEmpty]
    public string[] IpAddress { get; set; } = [];

    /// <summary>Library (one query per library detection), OnePass (the library's one-pass findings), or Auto (library up to 250,000 events).</summary>
    // A string, not the engine's enum: an enum-typed field makes the runtime load IrTrail.Core when PowerShell reflects
    // over this type at import, before the module's load context is hooked up.
    [Parameter]
    [ValidateSet("Auto", "Library", "OnePass")]
    public string Findings { get; set; } = "Auto";

    /// <summary>Where the aggregates run: Local (DuckDB over the dataset) or Athena.</summary>
    [Parameter]
    [ValidateSet(QueryEngines.Local, QueryEngines.Athena)]
    public string Engine { get; set; } = QueryEngines.Local;

    /// <summary>Extra query packs whose detection queries join the findings (as Get-IrTrailQuery -QueryPath).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? QueryPath { get; set; }

    [Parameter] public string? Title { get; set; }

    [Parameter] public SwitchParameter Show { get; set; }

    [Parameter] public SwitchParameter Force { get; set; }

    protected override void BeginProcessing()
    {
        if (!Engine.Equals(QueryEngines.Local, StringComparison.OrdinalIgnoreCase))
            ThrowTerminatingError(new ErrorRecord(QueryEngines.NotAvailable(Engine), "EngineNotAvailable", ErrorCategory.NotImplemented, Engine));
        if (StartTime is { } s && EndTime is { } e && s > e)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-StartTime ({s:u}) is after -EndTime ({e:u})."), "TimeRangeEmpty", ErrorCategory.InvalidArgument, null));
    }

    protected override void ProcessRecord()
    {
        string dataset;
        try
        {
            dataset = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        }
        catch (Exception ex) when (ex is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException or ArgumentException)
        {
            WriteError(ex, "DatasetNotFound", ErrorCategory.ObjectNotFound, Path);
            return;
        }
        if (!Directory.Exists(dataset))
        {
            WriteError(new ItemNotFoundException($"The dataset folder '{dataset}' does not exist."), "DatasetNotFound", ErrorCategory.ObjectNotFound, dataset);
            return;
        }

        var target = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        if (Directory.Exists(target))
            target = System.IO.Path.Combine(target, new DirectoryInfo(dataset).Name + ".dashboard.html");
        var exists = File.Exists(target);
        if (!ShouldProcess(target, $"Write an HTML dashboard of the dataset '{dataset}'" + (exists ? ", replacing the existing file" : "")))
            return;
        if (exists && !Force)
        {
            WriteError(new IOException($"The file '{target}' already exists."), "DashboardExists", ErrorCategory.ResourceExists, target,
                "Use -Force to replace it, or choose another -Destination.");
            return;
        }

        var options = new DashboardOptions
        {
            Title = Title,
            StartTime = StartTime is { } s ? ToUtc(s) : null,
            EndTime = EndTime is { } e ? ToUtc(e) : null,
            IpAddresses = IpAddress,
            Findings = Enum.Parse<FindingsMode>(Findings, ignoreCase: true),
        };
        FileInfo file;
        try
        {
            WriteProgress(new ProgressRecord(3, "Export-IrTrailDashboard", $"Aggregating '{dataset}'"));
            var clock = Stopwatch.StartNew();
            DashboardModel model;
            // Panels and findings are library queries (the module's queries, IRTRAIL_QUERY_PATH, -QueryPath).
            var library = LibraryAccess.Load(this, QueryPath);
            using (var engine = LocalDashboard.Open(dataset, options.StartTime, options.EndTime, CancellationToken))
            {
                // The engine runs on a worker; this (pipeline) thread waits so Ctrl+C can cancel the query.
                model = Wait(Task.Run(() => new DashboardBuilder(engine, library).Build(options, CancellationToken)));
            }
            foreach (var (step, elapsed) in model.Timings) WriteVerbose($"{step}: {elapsed.TotalMilliseconds:N0} ms");
            WriteProgress(new ProgressRecord(3, "Export-IrTrailDashboard", $"Writing '{target}'"));
            file = DashboardRenderer.Write(model, target);
            WriteProgress(new ProgressRecord(3, "Export-IrTrailDashboard", "Done") { RecordType = ProgressRecordType.Completed });
            WriteVerbose($"{model.EventCount:N0} events, {model.Findings.Count(f => f.Hits > 0)} findings with hits; {file.Length / 1024.0:N0} KB written in {clock.Elapsed.TotalSeconds:N1} s.");
        }
        catch (DashboardException ex)
        {
            WriteError(ex, "DashboardFailed", ErrorCategory.InvalidData, ex.Target ?? dataset);
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WriteError(ex, "DashboardWriteFailed", ErrorCategory.WriteError, target);
            return;
        }
        WriteObject(file);
        if (Show) Open(file);
    }

    private static DateTime ToUtc(DateTime t) => t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Local).ToUniversalTime() : t.ToUniversalTime();

    private void Open(FileInfo file)
    {
        try
        {
            Process.Start(new ProcessStartInfo(file.FullName) { UseShellExecute = true })?.Dispose();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            WriteWarning($"Could not open '{file.FullName}' in a browser: {ex.Message}");
        }
    }
}
