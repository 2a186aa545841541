using System.Management.Automation;
using IrTrail.Common;
using IrTrail.Core.Sample;

namespace IrTrail.Commands;

/// <summary>
/// Writes realistic CloudTrail delivery files (as AWS writes them to S3) with planted incident scenarios and a ground
/// truth file, for demos, training and benchmarks. The same -Seed and parameters give byte-identical files.
/// </summary>
[Cmdlet(VerbsCommon.New, "IrTrailSampleData", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SampleDataResult))]
public sealed class NewIrTrailSampleDataCommand : IrTrailCmdlet
{
    private const int ProgressId = 3;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter] [ValidateRange(0, long.MaxValue)] public long EventCount { get; set; } = 10_000;

    [Parameter] public TimeSpan Duration { get; set; } = TimeSpan.FromDays(1);

    [Parameter] [ValidateRange(0.001, 10_000_000d)] public double EventsPerMinute { get; set; }

    [Parameter] public DateTime StartTime { get; set; } = SampleDataOptions.DefaultStartTime;

    [Parameter] [ValidateNotNullOrEmpty] public string[]? Account { get; set; }

    [Parameter] [ValidateNotNullOrEmpty] public string[]? Region { get; set; }

    [Parameter] public int? Seed { get; set; }

    [Parameter]
    [ValidateSet("All", "ApiErrors", "MaliciousIp", "InstanceRoleS3Enumeration", "ExposedAccessKey", "Persistence", "DefenseEvasion",
        "ConsoleLoginWithoutMfa", "Exfiltration", "S3Ransomware", "None")]
    public string[] Scenario { get; set; } = ["All"];

    [Parameter] [ValidateNotNullOrEmpty] public string MaliciousIp { get; set; } = SampleScenarios.DefaultMaliciousIp;

    [Parameter] public SwitchParameter IncludeDigest { get; set; }

    [Parameter] [ValidatePattern("^o-[a-z0-9]{10,32}$")] public string? Organization { get; set; }

    [Parameter] public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var root = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (MyInvocation.BoundParameters.ContainsKey(nameof(EventsPerMinute)) && MyInvocation.BoundParameters.ContainsKey(nameof(EventCount)))
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("Use -EventCount or -EventsPerMinute (with -Duration), not both."),
                "CountAndRate", ErrorCategory.InvalidArgument, null));
        var count = EventsPerMinute > 0 ? (long)Math.Round(EventsPerMinute * Duration.TotalMinutes) : EventCount;
        var seed = Seed ?? Random.Shared.Next();
        if (Seed is null) WriteVerbose($"No -Seed given: using {seed}. Pass -Seed {seed} to generate the same files again.");
        var scenarios = Scenario.Contains("None", StringComparer.OrdinalIgnoreCase) ? []
            : Scenario.Contains("All", StringComparer.OrdinalIgnoreCase) ? SampleScenarios.Names
            : Scenario.Distinct(StringComparer.OrdinalIgnoreCase).Select(s => SampleScenarios.Names.First(n => n.Equals(s, StringComparison.OrdinalIgnoreCase))).ToList();
        var defaults = new SampleDataOptions { OutputPath = root };
        var options = new SampleDataOptions
        {
            OutputPath = root,
            EventCount = count,
            Duration = Duration,
            StartTime = StartTime.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(StartTime, DateTimeKind.Utc) : StartTime.ToUniversalTime(),
            Accounts = Account ?? defaults.Accounts,
            Regions = Region ?? defaults.Regions,
            Seed = seed,
            Scenarios = scenarios,
            MaliciousIp = MaliciousIp,
            IncludeDigest = IncludeDigest,
            Organization = Organization,
        };
        try { options.Validate(); }
        catch (ArgumentException ex) { ThrowTerminatingError(new ErrorRecord(ex, "InvalidSampleSettings", ErrorCategory.InvalidArgument, null)); }

        var logs = System.IO.Path.Combine(root, "AWSLogs");
        if (Directory.Exists(logs) && Directory.EnumerateFileSystemEntries(logs).Any() && !Force)
            ThrowTerminatingError(new ErrorRecord(new IOException($"'{logs}' already holds files. Use -Force to replace them, or choose an empty folder."),
                "OutputNotEmpty", ErrorCategory.ResourceExists, root));
        var action = $"Generate {count:N0} CloudTrail events ({string.Join(", ", options.Accounts)} in {string.Join(", ", options.Regions)}, seed {seed})";
        if (!ShouldProcess(root, action)) return;
        if (Directory.Exists(logs)) Directory.Delete(logs, recursive: true);
        foreach (var old in new[] { SampleDataGenerator.GroundTruthFileName, SampleDataGenerator.PublicKeyFileName })
            if (File.Exists(System.IO.Path.Combine(root, old))) File.Delete(System.IO.Path.Combine(root, old));

        SampleDataResult result;
        try
        {
            result = new SampleDataGenerator(options).Generate(p =>
            {
                WriteProgress(new ProgressRecord(ProgressId, "Generating CloudTrail sample data", $"{p.Records:N0} records in {p.Files:N0} files")
                {
                    PercentComplete = (int)(100L * p.Window / p.Windows),
                });
            }, CancellationToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "SampleWriteFailed", ErrorCategory.WriteError, root));
            return;
        }
        WriteProgress(new ProgressRecord(ProgressId, "Generating CloudTrail sample data", "Done") { RecordType = ProgressRecordType.Completed });
        WriteObject(result);
    }
}
