using System.Globalization;
using System.Text;
using IrTrail.Core.Dataset;
using IrTrail.Core.Reading;
using IrTrail.Core.Sources;

namespace IrTrail.Core.Query;

/// <summary>What a -Path turned out to hold.</summary>
public enum ViewSourceKind { Dataset, RawLogs }

/// <summary>
/// The <c>cloudtrail</c> view over a converted dataset (read_parquet with Hive partitions) or over raw log files
/// (read_json with an explicit CloudTrail schema, so blobs stay JSON text and case-colliding keys never reach
/// DuckDB's schema detection). Both have the same column names and types, so every query runs on either.
/// </summary>
public sealed class CloudTrailView
{
    public const string ViewName = "cloudtrail";

    /// <summary>userIdentity exactly as the dataset stores it (DatasetSchema), as a DuckDB type.</summary>
    internal const string UserIdentityType =
        "STRUCT(\"type\" VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, accessKeyId VARCHAR, userName VARCHAR, " +
        "invokedBy VARCHAR, identityProvider VARCHAR, credentialId VARCHAR, onBehalfOf VARCHAR, sessionContext STRUCT(" +
        "attributes STRUCT(creationDate VARCHAR, mfaAuthenticated VARCHAR), sessionIssuer STRUCT(\"type\" VARCHAR, principalId VARCHAR, " +
        "arn VARCHAR, accountId VARCHAR, userName VARCHAR), webIdFederationData VARCHAR, sourceIdentity VARCHAR, " +
        "ec2RoleDelivery VARCHAR, assumedRoot VARCHAR))";

    /// <summary>Top-level record columns in dataset order, with the DuckDB type read_json gets (JSON = kept as text).</summary>
    internal static readonly (string Name, string Type)[] RecordColumns =
    [
        ("eventVersion", "VARCHAR"), ("userIdentity", UserIdentityType), ("eventTime", "VARCHAR"),
        ("eventSource", "VARCHAR"), ("eventName", "VARCHAR"), ("awsRegion", "VARCHAR"), ("sourceIPAddress", "VARCHAR"),
        ("userAgent", "VARCHAR"), ("errorCode", "VARCHAR"), ("errorMessage", "VARCHAR"), ("requestParameters", "JSON"),
        ("responseElements", "JSON"), ("additionalEventData", "JSON"), ("requestID", "VARCHAR"), ("eventID", "VARCHAR"),
        ("readOnly", "JSON"), ("resources", "JSON"), ("eventType", "VARCHAR"), ("apiVersion", "VARCHAR"),
        ("managementEvent", "JSON"), ("recipientAccountId", "VARCHAR"), ("serviceEventDetails", "JSON"),
        ("sharedEventID", "VARCHAR"), ("vpcEndpointId", "VARCHAR"), ("vpcEndpointAccountId", "VARCHAR"),
        ("eventCategory", "VARCHAR"), ("addendum", "JSON"), ("sessionCredentialFromConsole", "JSON"),
        ("edgeDeviceDetails", "JSON"), ("tlsDetails", "JSON"), ("insightDetails", "JSON"),
    ];

    private CloudTrailView(ViewSourceKind kind, string root, IReadOnlyList<string> files, IReadOnlyList<string> recordFiles, IReadOnlyList<string> envelopeFiles)
    {
        Kind = kind;
        Root = root;
        Files = files;
        _objectFiles = recordFiles;
        _envelopeFiles = envelopeFiles;
    }

    private readonly IReadOnlyList<string> _objectFiles, _envelopeFiles;

    public ViewSourceKind Kind { get; }
    /// <summary>The dataset root, or the first path given for raw logs.</summary>
    public string Root { get; }
    /// <summary>Every data file behind the view (Parquet files, or log files holding events).</summary>
    public IReadOnlyList<string> Files { get; }
    public long TotalBytes => Files.Sum(f => new FileInfo(f).Length);
    /// <summary>Raw logs only: drop second deliveries of an eventID, as the converter does (on by default).</summary>
    public bool Deduplicate { get; set; } = true;
    /// <summary>Raw logs only: files left out because they are corrupt, truncated, unreadable or not CloudTrail.</summary>
    public IReadOnlyList<ReadIssue> Problems { get; private init; } = [];
    public DateTime? StartTime { get; set; }
    public DateTime? EndTime { get; set; }

    /// <summary>A dataset root (it has an <c>_irtrail</c> folder or Hive partition folders with Parquet files).</summary>
    public static bool IsDataset(string path) =>
        Directory.Exists(path) && (DatasetManifest.IsDataset(path) ||
            Directory.EnumerateDirectories(path, DatasetSchema.AccountKey + "=*").Any());

    /// <summary>Opens a dataset folder, or log files and folders. Throws QueryException saying what was found otherwise.</summary>
    public static CloudTrailView Open(IReadOnlyList<string> paths, CancellationToken cancellationToken = default)
    {
        if (paths.Count == 0) throw new ArgumentException("No path given.", nameof(paths));
        if (paths.Count == 1 && IsDataset(paths[0]))
        {
            var root = Path.GetFullPath(paths[0]);
            var parquet = Directory.EnumerateFiles(root, "*.parquet", SearchOption.AllDirectories)
                .Where(f => !Path.GetRelativePath(root, f).StartsWith(DatasetManifest.FolderName, StringComparison.Ordinal))
                .OrderBy(f => f, StringComparer.Ordinal).ToList();
            if (parquet.Count == 0)
                throw new QueryException($"'{root}' is an IrTrail dataset with no Parquet files yet (nothing converted into it).", "Local");
            return new CloudTrailView(ViewSourceKind.Dataset, root, parquet, [], []);
        }
        var objects = new List<string>();
        var envelopes = new List<string>();
        var problems = new List<ReadIssue>();
        var seen = new List<string>();
        foreach (var p in paths)
        {
            var candidates = Directory.Exists(p) ? LogFileNames.Enumerate(p) : File.Exists(p) ? [p] : throw new QueryException($"Cannot find path '{p}' because it does not exist.", "Local");
            foreach (var f in candidates)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var shape = Check(f, problems, cancellationToken);
                seen.Add($"{Path.GetFileName(f)} ({shape})");
                if (shape == FileShape.Records) envelopes.Add(Path.GetFullPath(f));
                else if (shape is FileShape.Array or FileShape.Objects) objects.Add(Path.GetFullPath(f));
            }
        }
        if (objects.Count + envelopes.Count == 0)
        {
            var what = seen.Count == 0 ? "no files that look like logs (.json, .json.gz, .jsonl, ...) and no IrTrail dataset (_irtrail folder, account_id= partitions)"
                : "no CloudTrail events: " + string.Join(", ", seen.Take(5)) + (seen.Count > 5 ? $" and {seen.Count - 5} more" : "");
            throw new QueryException($"'{string.Join("', '", paths)}' is neither an IrTrail dataset nor CloudTrail logs: found {what}.", "Local");
        }
        var all = envelopes.Concat(objects).OrderBy(f => f, StringComparer.Ordinal).ToList();
        return new CloudTrailView(ViewSourceKind.RawLogs, Path.GetFullPath(paths[0]), all, objects, envelopes) { Problems = problems };
    }

    /// <summary>
    /// The file's shape, read to the end with IrTrail's own reader: DuckDB's read_json fails the whole query on one
    /// corrupt file, so a file that is corrupt, truncated or not CloudTrail is left out here and reported instead — the
    /// whole file, events before the fault included, and the message says how many those were.
    /// </summary>
    private static FileShape Check(string file, List<ReadIssue> problems, CancellationToken cancellationToken)
    {
        long records = 0;
        try
        {
            using var stream = File.OpenRead(file);
            using var scanner = new JsonRecordScanner(stream);
            while (scanner.NextAsync(cancellationToken).AsTask().GetAwaiter().GetResult() is { } record)
            {
                // Loose objects carry no envelope that says "CloudTrail": the first one must look like an event.
                if (records == 0 && scanner.Shape == FileShape.Objects)
                {
                    using var doc = System.Text.Json.JsonDocument.Parse(record);
                    if (!CloudTrailRecordParser.IsEvent(doc.RootElement))
                        throw new CloudTrailFormatException(ReadFaultKind.NotCloudTrail,
                            "it is JSON but not CloudTrail: its first object has none of eventVersion, eventTime, eventName, eventSource or eventID.", null, 0);
                }
                records++;
            }
            return scanner.Shape;
        }
        catch (CloudTrailFormatException ex)
        {
            problems.Add(new ReadIssue(file, ex.Kind, $"'{file}' is left out of the query: {ex.Message}" + Dropped(records), ex.ByteOffset, ex.RecordIndex, true, ex));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add(new ReadIssue(file, ReadFaultKind.Unreadable, $"'{file}' is left out of the query: {ex.Message}" + Dropped(records), null, null, true, ex));
        }
        return FileShape.Unknown;
    }

    /// <summary>What leaving a faulty file out costs: DuckDB reads a file whole or not at all.</summary>
    private static string Dropped(long recordsBeforeFault) => recordsBeforeFault switch
    {
        0 => " No record of it is queried.",
        1 => " No record of it is queried, not even the 1 record read before the fault.",
        _ => $" No record of it is queried, not even the {recordsBeforeFault:N0} records read before the fault.",
    };

    /// <summary>The CREATE VIEW statement for this source and time window.</summary>
    public string CreateViewSql()
    {
        var sb = new StringBuilder();
        sb.Append("CREATE OR REPLACE TEMP VIEW ").Append(ViewName).Append(" AS ");
        var where = WindowPredicate();
        if (Kind == ViewSourceKind.Dataset)
        {
            // A glob (not a file list) so DuckDB reports "Scanning Files: n/total" after partition pruning.
            // The window prunes event_date folders, then row groups by their eventTime statistics.
            sb.Append("SELECT * FROM read_parquet(").Append(Literal(Path.Combine(Root, "**", "*.parquet")))
              .Append(", hive_partitioning = true, hive_types_autocast = false)");
            if (where.Length > 0) sb.Append(" WHERE ").Append(where);
            return sb.ToString();
        }
        var parts = new List<string>();
        if (_envelopeFiles.Count > 0)
            parts.Add($"SELECT unnest(Records, max_depth := 2), filename AS sourceFile FROM read_json({FileList(_envelopeFiles)}, columns = {{'Records': 'STRUCT({Columns()})[]'}}, format = 'auto', filename = true, maximum_object_size = 1073741824)");
        if (_objectFiles.Count > 0)
            parts.Add($"SELECT *, filename AS sourceFile FROM read_json({FileList(_objectFiles)}, columns = {{{ColumnsMap()}}}, format = 'auto', filename = true, maximum_object_size = 1073741824)");
        var raw = string.Join(" UNION ALL BY NAME ", parts);
        var time = "try_cast(eventTime AS TIMESTAMPTZ)";
        var account = "coalesce(nullif(recipientAccountId, ''), nullif(userIdentity.accountId, ''))";
        var projected =
            $"SELECT eventVersion, userIdentity, {time} AS eventTime, eventSource, eventName, awsRegion, sourceIPAddress, userAgent, " +
            "errorCode, errorMessage, " + Text("requestParameters") + ", " + Text("responseElements") + ", " + Text("additionalEventData") +
            ", requestID, eventID, " + Bool("readOnly") + ", " + Text("resources") + ", eventType, apiVersion, " + Bool("managementEvent") +
            ", recipientAccountId, " + Text("serviceEventDetails") + ", sharedEventID, vpcEndpointId, vpcEndpointAccountId, eventCategory, " +
            Text("addendum") + ", " + Bool("sessionCredentialFromConsole") + ", " + Text("edgeDeviceDetails") + ", " + Text("tlsDetails") + ", " +
            Text("insightDetails") + ", NULL::VARCHAR AS otherFields, sourceFile, NULL::BIGINT AS sourceRecord, " +
            $"coalesce(regexp_replace(left({account}, 64), '[^A-Za-z0-9_-]', '_', 'g'), 'unknown') AS account_id, " +
            $"coalesce(strftime({time}, '%Y-%m-%d'), 'unknown') AS event_date, " +
            "coalesce(regexp_replace(left(nullif(awsRegion, ''), 64), '[^A-Za-z0-9_-]', '_', 'g'), 'unknown') AS region_name " +
            $"FROM ({raw})";
        sb.Append("SELECT * FROM (").Append(projected).Append(')');
        var conditions = new List<string>();
        if (where.Length > 0) conditions.Add(where);
        if (conditions.Count > 0) sb.Append(" WHERE ").Append(string.Join(" AND ", conditions));
        if (Deduplicate) sb.Append(" QUALIFY eventID IS NULL OR row_number() OVER (PARTITION BY eventID ORDER BY sourceFile) = 1");
        return sb.ToString();
    }

    private static string Columns() => string.Join(", ", RecordColumns.Select(c => $"\"{c.Name}\" {c.Type}"));
    private static string ColumnsMap() => string.Join(", ", RecordColumns.Select(c => $"'{c.Name}': '{c.Type.Replace("'", "''")}'"));
    // JSON null and absent are both SQL NULL in the dataset.
    private static string Text(string c) => $"CASE WHEN {c} IS NULL OR json_type({c}) = 'NULL' THEN NULL ELSE {c}::VARCHAR END AS {c}";
    // The data has these as booleans and as strings.
    private static string Bool(string c) => $"CASE lower(trim(both '\"' FROM {c}::VARCHAR)) WHEN 'true' THEN true WHEN 'false' THEN false ELSE NULL END AS {c}";

    private string WindowPredicate()
    {
        var parts = new List<string>();
        if (StartTime is { } s)
        {
            var u = s.ToUniversalTime();
            parts.Add($"event_date >= '{u:yyyy-MM-dd}'");
            parts.Add($"eventTime >= TIMESTAMPTZ '{u.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}+00'");
        }
        if (EndTime is { } e)
        {
            var u = e.ToUniversalTime();
            parts.Add($"event_date <= '{u:yyyy-MM-dd}'");
            parts.Add($"eventTime <= TIMESTAMPTZ '{u.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}+00'");
        }
        return string.Join(" AND ", parts);
    }

    private static string FileList(IEnumerable<string> files) => "[" + string.Join(", ", files.Select(Literal)) + "]";

    internal static string Literal(string s) => "'" + s.Replace("'", "''") + "'";
}
