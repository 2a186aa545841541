using System.Reflection;
using System.Runtime.CompilerServices;

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

    public IReadOnlyList<AcquiredObject> Objects => _objects;

    /// <summary>Acquires the files (at most <paramref name="throttleLimit"/> at a time), recording each as it finishes.</summary>
    public async IAsyncEnumerable<AcquiredObject> AcquireAsync(IReadOnlyList<LogFile> files, int throttleLimit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var o in acquirer.AcquireAsync(files, throttleLimit, cancellationToken).ConfigureAwait(false))
        {
            _objects.Add(o);
            yield return o;
        }
    }

    public AcquisitionManifest BuildManifest(bool interrupted = false) => new()
    {
        IrTrailVersion = Version,
        Operator = Operator,
        Host = Environment.MachineName,
        StartedUtc = StartedUtc,
        CompletedUtc = DateTime.UtcNow,
        Interrupted = interrupted,
        Parameters = new Dictionary<string, string?>(parameters),
        Objects = _objects.OrderBy(o => o.SourceUri, StringComparer.Ordinal).ToList(),
    };

    /// <summary>Writes the manifest into the case folder; its path. IOException / UnauthorizedAccessException when it cannot.</summary>
    public string WriteManifest(bool interrupted = false) => acquirer.WriteManifest(BuildManifest(interrupted));

    public LogAcquisitionResult Summarize(string destination, string? manifestPath, TimeSpan elapsed) => new()
    {
        Destination = destination,
        ManifestPath = manifestPath,
        Downloaded = _objects.Count(r => r.Status == AcquisitionStatus.Downloaded),
        AlreadyPresent = _objects.Count(r => r.Status == AcquisitionStatus.AlreadyPresent),
        Failed = _objects.Count(r => r.Status == AcquisitionStatus.Failed),
        Bytes = _objects.Where(r => r.Status != AcquisitionStatus.Failed).Sum(r => r.Size),
        Elapsed = elapsed,
    };

    public static string? Version { get; } = typeof(LogFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    /// <summary>DOMAIN\user where there is a domain other than the machine, else the user name.</summary>
    public static string Operator =>
        Environment.UserDomainName is { Length: > 0 } d && d != Environment.MachineName ? $"{d}\\{Environment.UserName}" : Environment.UserName;
}
