using System.Reflection;

namespace IrTrail.Core.Aws;

/// <summary>
/// One acquisition into a case folder as a chain-of-custody record: it acquires the objects (see <see cref="LogAcquirer"/>),
/// keeps each object's entry, and writes the manifest — who (operator), where (host), when (start and end, UTC), with
/// what (IrTrail version, the command's parameters) and every object — also for a run that was stopped part way.
/// </summary>
internal sealed class AcquisitionRun(LogAcquirer acquirer, IReadOnlyDictionary<string, string?> parameters)
{
    private readonly List<AcquiredObject> _objects = [];

    public DateTime StartedUtc { get; } = DateTime.UtcNow;

    /// <summary>The objects done so far (a copy).</summary>
    public IReadOnlyList<AcquiredObject> Objects
    {
        get { lock (_objects) return _objects.ToList(); }
    }

    /// <summary>Acquires the files (at most <paramref name="throttleLimit"/> at a time), recording each as it finishes —
    /// also those finished when the consumer stops reading.</summary>
    public IAsyncEnumerable<AcquiredObject> AcquireAsync(IReadOnlyList<LogFile> files, int throttleLimit, CancellationToken cancellationToken) =>
        acquirer.AcquireAsync(files, throttleLimit, cancellationToken, o => { lock (_objects) _objects.Add(o); });

    public AcquisitionManifest BuildManifest(bool interrupted = false) => new()
    {
        IrTrailVersion = Version,
        Operator = Operator,
        Host = Environment.MachineName,
        StartedUtc = StartedUtc,
        CompletedUtc = DateTime.UtcNow,
        Interrupted = interrupted,
        Parameters = new Dictionary<string, string?>(parameters),
        Objects = Objects.OrderBy(o => o.SourceUri, StringComparer.Ordinal).ToList(),
    };

    /// <summary>Writes the manifest into the case folder; its path. IOException / UnauthorizedAccessException when it cannot.</summary>
    public string WriteManifest(bool interrupted = false) => acquirer.WriteManifest(BuildManifest(interrupted));

    public LogAcquisitionResult Summarize(string destination, string? manifestPath, TimeSpan elapsed)
    {
        var objects = Objects;
        return new LogAcquisitionResult
        {
            Destination = destination,
            ManifestPath = manifestPath,
            Downloaded = objects.Count(r => r.Status == AcquisitionStatus.Downloaded),
            AlreadyPresent = objects.Count(r => r.Status == AcquisitionStatus.AlreadyPresent),
            Failed = objects.Count(r => r.Status == AcquisitionStatus.Failed),
            Bytes = objects.Where(r => r.Status != AcquisitionStatus.Failed).Sum(r => r.Size),
            Elapsed = elapsed,
        };
    }

    public static string? Version { get; } = typeof(LogFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    /// <summary>DOMAIN\user where there is a domain other than the machine, else the user name.</summary>
    public static string Operator =>
        Environment.UserDomainName is { Length: > 0 } d && d != Environment.MachineName ? $"{d}\\{Environment.UserName}" : Environment.UserName;
}
