using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace IrTrail.Core.Report;

/// <summary>
/// Fills a <see cref="DashboardModel"/> with aggregate SQL: one scan of the source into the projected relation
/// <c>ev</c>, then every panel's GROUP BY over <c>ev</c> in the engine. Only aggregates and bounded tables come out.
/// </summary>
public sealed class DashboardBuilder
{
    private readonly IDashboardSource _source;
    private readonly IReadOnlyList<Detection> _detections;
    private readonly string _detectionSource;

    private readonly IReadOnlyList<LibraryDetection> _library;

    /// <summary>
    /// With <paramref name="library"/> queries, findings are hits per library query (one query each over the source's
    /// <c>cloudtrail</c> view); without, the built-in detections counted in one pass over <c>ev</c>.
    /// </summary>
    public DashboardBuilder(IDashboardSource source, IReadOnlyList<Detection>? detections = null, string? detectionSource = null,
        IReadOnlyList<LibraryDetection>? library = null)
    {
        _source = source;
        _detections = detections ?? BuiltInDetections.All;
        _detectionSource = detectionSource ?? BuiltInDetections.SourceName;
        _library = library ?? [];
        if (_library.Count > 0) _detectionSource = $"IrTrail query library ({_library.Count} detection queries)";
    }

    /// <summary>Bucket widths the timeline may use, smallest first.</summary>
    private static readonly long[] BucketWidths = [60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400, 604800, 2592000];

    /// <summary>Table names in <see cref="DashboardModel.Tables"/>.</summary>
    public static class Tables
    {
        public const string Timeline = "timeline", TimelineBySource = "timelineBySource", AccountRegion = "accountRegion",
            TopEventNames = "topEventNames", TopErrorCodes = "topErrorCodes", TopPrincipals = "topPrincipals",
            TopSourceIps = "topSourceIps", RootActivity = "rootActivity", ConsoleSigninSummary = "consoleSigninSummary",
            ConsoleSignins = "consoleSignins", WritesByPrincipal = "writesByPrincipal", WriteActions = "writeActions",
            ApiErrors = "apiErrors", IpActivity = "ipActivity", InstanceRoleS3 = "instanceRoleS3";
    }

    /// <summary>The SELECT list that makes <c>ev</c>: only what the panels need, JSON fields extracted once.</summary>
    internal string Projection()
    {
        var s = _source;
        const string ext = "(sourceIPAddress LIKE '%.amazonaws.com' OR sourceIPAddress LIKE '%.amazonaws.com.cn' OR sourceIPAddress = 'AWS Internal')";
        return string.Join(",\n", [
            "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "errorCode",
            "left(errorMessage, 300) AS errorMessage", "readOnly", "eventType",
            "coalesce(recipientAccountId, userIdentity.accountId, account_id) AS account",
            "userIdentity.type AS identityType", "userIdentity.arn AS arn",
            "userIdentity.sessionContext.sessionIssuer.arn AS issuerArn",
            "coalesce(userIdentity.arn, userIdentity.sessionContext.sessionIssuer.arn, userIdentity.principalId, userIdentity.invokedBy, userIdentity.userName, userIdentity.type, '(none)') AS principal",
            // AWS acting for itself: service principals, service-linked roles, calls from AWS's own addresses.
            "(coalesce(userIdentity.type, '') = 'AWSService' OR coalesce(userIdentity.arn, '') LIKE '%:assumed-role/AWSServiceRole%'" +
            " OR (userIdentity.arn IS NULL AND coalesce(userIdentity.invokedBy, '') LIKE '%amazonaws.com')) AS isService",
            $"(sourceIPAddress IS NOT NULL AND NOT {ext}) AS isExternalIp",
            $"CASE WHEN eventName = 'ConsoleLogin' THEN {s.JsonString("responseElements", "$.ConsoleLogin")} END AS consoleLogin",
            $"CASE WHEN eventName = 'ConsoleLogin' THEN {s.JsonString("additionalEventData", "$.MFAUsed")} END AS mfaUsed",
            $"CASE WHEN eventSource = 's3.amazonaws.com' THEN {s.JsonString("requestParameters", "$.bucketName")} END AS bucketName",
            "CASE WHEN NOT coalesce(readOnly, false) OR eventName LIKE 'GetParameter%' THEN left(requestParameters, 4000) END AS requestParameters",
        ]);
    }

    public DashboardModel Build(DashboardOptions options, CancellationToken cancellationToken)
    {
        var m = new DashboardModel
        {
            Title = string.IsNullOrWhiteSpace(options.Title) ? "IrTrail dashboard" : options.Title!,
            Dataset = _source.Description,
            Engine = _source.Engine,
            GeneratedAt = DateTime.UtcNow,
            Version = Version(),
            RequestedStart = options.StartTime?.ToUniversalTime(),
            RequestedEnd = options.EndTime?.ToUniversalTime(),
            FindingsSource = _detectionSource,
        };
        var ct = cancellationToken;
        Step(m, "scan", () => _source.Prepare(Projection(), options.StartTime, options.EndTime, ct));

        var summary = Step(m, "summary", () => _source.Run(
            "SELECT count(*)::BIGINT AS events, count(errorCode)::BIGINT AS errors, min(eventTime) AS first, max(eventTime) AS last, " +
            "count(DISTINCT account)::BIGINT AS accounts, count(DISTINCT awsRegion)::BIGINT AS regions, " +
            "count(DISTINCT principal) FILTER (WHERE NOT isService)::BIGINT AS principals FROM ev", ct));
        m.EventCount = Long(summary.Rows[0][0]);
        m.ErrorCount = Long(summary.Rows[0][1]);
        m.FirstEvent = summary.Rows[0][2] as DateTime?;
        m.LastEvent = summary.Rows[0][3] as DateTime?;
        m.Accounts = Long(summary.Rows[0][4]);
        m.Regions = Long(summary.Rows[0][5]);
        m.Principals = Long(summary.Rows[0][6]);

        var span = m.FirstEvent is { } f && m.LastEvent is { } l ? (l - f).TotalSeconds : 0;
        m.BucketSeconds = BucketWidths.FirstOrDefault(w => span / w <= options.MaxBuckets, BucketWidths[^1]);
        var bucket = _source.BucketEpochMs("eventTime", m.BucketSeconds);
        string T(string c) => _source.TimeText(c);
        int top = options.TopRows, detail = options.DetailRows;
        var firstLast = $"{T("min(eventTime)")} AS first, {T("max(eventTime)")} AS last";

        Add(m, Tables.Timeline, $"SELECT {bucket} AS t, count(*)::BIGINT AS events, count(errorCode)::BIGINT AS errors FROM ev WHERE eventTime IS NOT NULL GROUP BY 1 ORDER BY 1", ct);
        Add(m, Tables.TimelineBySource,
            $"WITH top AS (SELECT eventSource FROM ev GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 6) " +
            $"SELECT {bucket} AS t, CASE WHEN eventSource IN (SELECT eventSource FROM top) THEN eventSource ELSE 'other' END AS source, count(*)::BIGINT AS events " +
            $"FROM ev WHERE eventTime IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2", ct);
        Add(m, Tables.AccountRegion,
            "WITH a AS (SELECT account FROM ev GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 30), r AS (SELECT awsRegion FROM ev GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 30) " +
            "SELECT coalesce(account, '(none)') AS account, coalesce(awsRegion, '(none)') AS region, count(*)::BIGINT AS events, count(errorCode)::BIGINT AS errors FROM ev " +
            "WHERE account IN (SELECT account FROM a) AND awsRegion IN (SELECT awsRegion FROM r) GROUP BY 1, 2 ORDER BY 3 DESC", ct);
        Add(m, Tables.TopEventNames,
            $"SELECT eventName, eventSource, count(*)::BIGINT AS events, count(errorCode)::BIGINT AS errors, count(DISTINCT principal)::BIGINT AS principals, {firstLast} " +
            $"FROM ev GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT {top}", ct);
        Add(m, Tables.TopErrorCodes,
            $"SELECT errorCode, count(*)::BIGINT AS events, count(DISTINCT eventName)::BIGINT AS eventNames, count(DISTINCT principal)::BIGINT AS principals, {firstLast} " +
            $"FROM ev WHERE errorCode IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {top}", ct);
        Add(m, Tables.TopPrincipals,
            $"SELECT principal, any_value(identityType) AS identityType, count(*)::BIGINT AS events, count(errorCode)::BIGINT AS errors, " +
            $"count(*) FILTER (WHERE readOnly = false)::BIGINT AS writes, count(DISTINCT sourceIPAddress)::BIGINT AS sourceIps, {firstLast} " +
            $"FROM ev WHERE NOT isService GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT {top}", ct);
        Add(m, Tables.TopSourceIps,
            $"SELECT sourceIPAddress, count(*)::BIGINT AS events, count(errorCode)::BIGINT AS errors, count(DISTINCT principal)::BIGINT AS principals, " +
            $"count(DISTINCT eventName)::BIGINT AS eventNames, {firstLast} FROM ev WHERE isExternalIp AND NOT isService GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {top}", ct);
        Add(m, Tables.RootActivity,
            $"SELECT account, eventName, eventSource, sourceIPAddress, count(*)::BIGINT AS events, count(errorCode)::BIGINT AS errors, {firstLast} " +
            $"FROM ev WHERE identityType = 'Root' AND coalesce(eventType, '') <> 'AwsServiceEvent' GROUP BY 1, 2, 3, 4 ORDER BY min(eventTime), 2 LIMIT {detail}", ct);
        const string outcome = "coalesce(consoleLogin, CASE WHEN errorMessage IS NOT NULL THEN 'Failure' ELSE 'Unknown' END)";
        Add(m, Tables.ConsoleSigninSummary,
            $"SELECT {outcome} AS outcome, coalesce(mfaUsed, 'n/a') AS mfaUsed, count(*)::BIGINT AS events FROM ev WHERE eventName = 'ConsoleLogin' GROUP BY 1, 2 ORDER BY 1, 2", ct);
        Add(m, Tables.ConsoleSignins,
            $"SELECT principal, sourceIPAddress, {outcome} AS outcome, coalesce(mfaUsed, 'n/a') AS mfaUsed, any_value(errorMessage) AS errorMessage, count(*)::BIGINT AS events, {firstLast} " +
            $"FROM ev WHERE eventName = 'ConsoleLogin' GROUP BY 1, 2, 3, 4 ORDER BY min(eventTime) LIMIT {detail}", ct);
        Add(m, Tables.WritesByPrincipal,
            $"SELECT principal, count(*)::BIGINT AS writes, count(errorCode)::BIGINT AS errors, count(DISTINCT eventName)::BIGINT AS eventNames, {firstLast} " +
            $"FROM ev WHERE readOnly = false AND NOT isService GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {top}", ct);
        Add(m, Tables.WriteActions,
            $"SELECT principal, eventName, eventSource, count(*)::BIGINT AS events, count(errorCode)::BIGINT AS errors, {firstLast} " +
            $"FROM ev WHERE readOnly = false AND NOT isService GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2 LIMIT {detail}", ct);
        // The talk's three metrics.
        Add(m, Tables.ApiErrors,
            $"SELECT eventSource, eventName, errorCode, any_value(errorMessage) AS errorMessage, principal, count(*)::BIGINT AS events, {firstLast} " +
            $"FROM ev WHERE errorCode IS NOT NULL GROUP BY 1, 2, 3, 5 ORDER BY 6 DESC, 1, 2 LIMIT {detail}", ct);
        var ips = options.IpAddresses.Where(i => !string.IsNullOrWhiteSpace(i)).Select(i => i.Trim()).Distinct(StringComparer.Ordinal).ToList();
        if (ips.Count == 0)
        {
            // No IP given: follow the busiest external addresses so the panel still answers something.
            var busiest = Step(m, "busiestIps", () => _source.Run(
                "SELECT sourceIPAddress FROM ev WHERE isExternalIp AND NOT isService GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 3", ct));
            ips = busiest.Rows.Select(r => (string)r[0]!).ToList();
            m.IpAddressesChosen = true;
        }
        m.IpAddresses = ips;
        var ipList = ips.Count == 0 ? "NULL" : string.Join(", ", ips.Select(Quote));
        Add(m, Tables.IpActivity,
            $"SELECT sourceIPAddress, principal, eventName, eventSource, count(*)::BIGINT AS events, count(errorCode)::BIGINT AS errors, {firstLast} " +
            $"FROM ev WHERE sourceIPAddress IN ({ipList}) GROUP BY 1, 2, 3, 4 ORDER BY min(eventTime), 1 LIMIT {detail}", ct);
        Add(m, Tables.InstanceRoleS3,
            $"SELECT coalesce(issuerArn, arn) AS role, arn AS session, eventName, coalesce(bucketName, '') AS bucketName, sourceIPAddress, count(*)::BIGINT AS events, count(errorCode)::BIGINT AS errors, {firstLast} " +
            $"FROM ev WHERE identityType = 'AssumedRole' AND arn LIKE '%/i-%' AND eventSource = 's3.amazonaws.com' " +
            $"AND eventName IN ('ListBuckets', 'ListObjects', 'ListObjectsV2', 'ListObjectVersions', 'GetBucketLocation', 'GetBucketAcl', 'GetBucketPolicy', 'HeadBucket') " +
            $"GROUP BY 1, 2, 3, 4, 5 ORDER BY min(eventTime) LIMIT {detail}", ct);

        Step(m, "findings", () => Findings(m, options, ct));
        return m;
    }

    private void Findings(DashboardModel m, DashboardOptions options, CancellationToken ct)
    {
        if (_library.Count > 0 && options.Findings != FindingsMode.BuiltIn)
        {
            if (options.Findings == FindingsMode.Library || m.EventCount <= options.LibraryFindingsEventLimit)
            {
                LibraryFindings(m, options, ct);
                return;
            }
            m.FindingsSource = $"{BuiltInDetections.SourceName}: {m.EventCount:N0} events are more than the {options.LibraryFindingsEventLimit:N0} " +
                               "up to which the query library runs one query per finding (use -Findings Library to run it anyway)";
        }
        else if (_library.Count > 0)
        {
            m.FindingsSource = BuiltInDetections.SourceName;
        }
        if (_detections.Count == 0) return;
        // Every detection's hit count in one pass over ev; examples only for those that hit.
        var counts = _source.Run("SELECT " + string.Join(", ", _detections.Select((d, i) => $"count(*) FILTER (WHERE {d.Predicate})::BIGINT AS d{i}")) + " FROM ev", ct);
        for (var i = 0; i < _detections.Count; i++)
        {
            var d = _detections[i];
            var finding = new DashboardFinding { Name = d.Name, Title = d.Title, Mitre = d.Mitre, Tags = d.Tags, Hits = Long(counts.Rows[0][i]) };
            finding.Examples = finding.Hits == 0
                ? new DashboardTable { Columns = ["eventTime", "eventName", "principal", "sourceIPAddress", "awsRegion", "errorCode"] }
                : _source.Run($"SELECT {_source.TimeText("eventTime")} AS eventTime, eventName, principal, sourceIPAddress, awsRegion, errorCode " +
                              $"FROM ev WHERE {d.Predicate} ORDER BY ev.eventTime, eventName LIMIT {options.ExampleRows}", ct);
            m.Findings.Add(finding);
        }
        m.Findings.Sort((a, b) => b.Hits.CompareTo(a.Hits));
    }

    private void LibraryFindings(DashboardModel m, DashboardOptions options, CancellationToken ct)
    {
        foreach (var d in _library)
        {
            ct.ThrowIfCancellationRequested();
            // The total rides along on the example rows: one query per finding.
            var t = _source.Run($"SELECT count(*) OVER () AS \"__hits\", * FROM ({d.Sql}) AS finding LIMIT {options.ExampleRows}", ct);
            var q = d.Query;
            m.Findings.Add(new DashboardFinding
            {
                Name = q.Name, Title = q.Title, Mitre = q.Techniques, Tags = q.Tags,
                Hits = t.Rows.Count == 0 ? 0 : Long(t.Rows[0][0]),
                Examples = new DashboardTable
                {
                    Columns = t.Columns.Skip(1).ToArray(),
                    Rows = t.Rows.Select(r => r.Skip(1).Select(Cell).ToArray()).ToList(),
                },
            });
        }
        m.Findings.Sort((a, b) => b.Hits.CompareTo(a.Hits));
    }

    /// <summary>A library row's value as page text: times as UTC text, structs and lists as JSON, long text cut.</summary>
    private static object? Cell(object? v) => v switch
    {
        null => null,
        DateTime t => t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        string s => s.Length > 300 ? s[..300] + "…" : s,
        bool or long or int or double or decimal => v,
        System.Collections.IEnumerable => System.Text.Json.JsonSerializer.Serialize(v),
        _ => Convert.ToString(v, CultureInfo.InvariantCulture),
    };

    private void Add(DashboardModel m, string name, string sql, CancellationToken ct) => m.Tables[name] = Step(m, name, () => _source.Run(sql, ct));

    private static T Step<T>(DashboardModel m, string step, Func<T> work)
    {
        var clock = Stopwatch.StartNew();
        try { return work(); }
        catch (Query.QueryException ex) { throw new DashboardException($"The dashboard's '{step}' aggregate failed: {ex.Message}", m.Dataset, ex); }
        finally { m.Timings.Add((step, clock.Elapsed)); }
    }

    private static void Step(DashboardModel m, string step, Action work) => Step<object?>(m, step, () => { work(); return null; });

    private static string Quote(string s) => "'" + s.Replace("'", "''") + "'";

    private static long Long(object? v) => v is null ? 0 : Convert.ToInt64(v, CultureInfo.InvariantCulture);

    internal static string Version()
    {
        var a = typeof(DashboardBuilder).Assembly;
        var v = a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? a.GetName().Version?.ToString() ?? "?";
        var plus = v.IndexOf('+');
        return plus > 0 ? v[..plus] : v;
    }
}
