using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using IrTrail.Core.Query;

namespace IrTrail.Core.Report;

/// <summary>
/// Fills a <see cref="DashboardModel"/> from the query library on any engine: the library's <c>dashboard-events</c>
/// query scans <c>cloudtrail</c> once into the relation <c>ev</c> (<see cref="IQueryEngine.DefineRelationAsync"/>), then
/// each panel is the library query of kind <see cref="QueryKind.Dashboard"/> named after it, and the findings are the
/// library's detection queries. No SQL lives here: the same page comes from DuckDB or from Athena.
/// </summary>
internal sealed class DashboardBuilder
{
    private readonly IQueryEngine _engine;
    private readonly QueryLibrary _library;

    public DashboardBuilder(IQueryEngine engine, QueryLibrary library)
    {
        _engine = engine;
        _library = library;
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

    /// <summary>The library queries the dashboard runs (kind <see cref="QueryKind.Dashboard"/>).</summary>
    public static class Queries
    {
        public const string Events = "dashboard-events", Summary = "dashboard-summary", BusiestIps = "dashboard-busiest-ips",
            QuickFindings = "dashboard-quick-findings";

        /// <summary>Each table, the query that fills it, and whether its Rows is the top-N or the detail bound.</summary>
        public static readonly IReadOnlyList<(string Table, string Query, bool Detail)> Panels =
        [
            (Tables.Timeline, "dashboard-timeline", false), (Tables.TimelineBySource, "dashboard-timeline-by-source", false),
            (Tables.AccountRegion, "dashboard-account-region", false), (Tables.TopEventNames, "dashboard-top-event-names", false),
            (Tables.TopErrorCodes, "dashboard-top-error-codes", false), (Tables.TopPrincipals, "dashboard-top-principals", false),
            (Tables.TopSourceIps, "dashboard-top-source-ips", false), (Tables.RootActivity, "dashboard-root-activity", true),
            (Tables.ConsoleSigninSummary, "dashboard-console-signin-summary", false), (Tables.ConsoleSignins, "dashboard-console-signins", true),
            (Tables.WritesByPrincipal, "dashboard-writes-by-principal", false), (Tables.WriteActions, "dashboard-write-actions", true),
            (Tables.ApiErrors, "dashboard-api-errors", true), (Tables.IpActivity, "dashboard-ip-activity", true),
            (Tables.InstanceRoleS3, "dashboard-instance-role-s3", true),
        ];
    }

    /// <summary>The findings the library offers: detection queries that need no parameter, worst first.</summary>
    public static IReadOnlyList<QueryDefinition> Detections(QueryLibrary library, string engine) =>
        library.Queries.Where(q => q.Kind == QueryKind.Detection && !q.Parameters.Any(p => p.Required) && q.SqlFor(engine) is not null)
            .OrderByDescending(q => q.Severity).ThenBy(q => q.Name, StringComparer.Ordinal).ToList();

    public DashboardModel Build(DashboardOptions options, CancellationToken cancellationToken)
    {
        var m = new DashboardModel
        {
            Title = string.IsNullOrWhiteSpace(options.Title) ? "IrTrail dashboard" : options.Title!,
            Dataset = _engine.Source,
            Engine = _engine.Name,
            GeneratedAt = DateTime.UtcNow,
            Version = Version(),
            RequestedStart = options.StartTime?.ToUniversalTime(),
            RequestedEnd = options.EndTime?.ToUniversalTime(),
        };
        var ct = cancellationToken;
        Step(m, "scan", () => _engine.DefineRelationAsync("ev", Bind(Queries.Events, null), ct).GetAwaiter().GetResult());

        var summary = Step(m, "summary", () => Run(Queries.Summary, null, ct));
        var s = summary.Rows[0];
        m.EventCount = Long(s[0]);
        m.ErrorCount = Long(s[1]);
        m.FirstEvent = s[2] as DateTime?;
        m.LastEvent = s[3] as DateTime?;
        m.Accounts = Long(s[4]);
        m.Regions = Long(s[5]);
        m.Principals = Long(s[6]);

        var span = m.FirstEvent is { } f && m.LastEvent is { } l ? (l - f).TotalSeconds : 0;
        m.BucketSeconds = BucketWidths.FirstOrDefault(w => span / w <= options.MaxBuckets, BucketWidths[^1]);

        var ips = options.IpAddresses.Where(i => !string.IsNullOrWhiteSpace(i)).Select(i => i.Trim()).Distinct(StringComparer.Ordinal).ToList();
        if (ips.Count == 0)
        {
            // No IP given: follow the busiest external addresses so the panel still answers something.
            ips = Step(m, "busiestIps", () => Run(Queries.BusiestIps, null, ct)).Rows.Select(r => (string)r[0]!).ToList();
            m.IpAddressesChosen = true;
        }
        m.IpAddresses = ips;

        foreach (var (table, query, detail) in Queries.Panels)
        {
            var args = new Hashtable();
            var q = Find(query);
            if (Has(q, "BucketSeconds")) args["BucketSeconds"] = m.BucketSeconds;
            if (Has(q, "IpAddresses") && ips.Count > 0) args["IpAddresses"] = ips.ToArray();
            if (Has(q, "Rows")) args["Rows"] = detail ? options.DetailRows : options.TopRows;
            m.Tables[table] = Step(m, table, () => Page(Run(query, args, ct)));
        }

        Step(m, "findings", () => Findings(m, options, ct));
        return m;
    }

    private void Findings(DashboardModel m, DashboardOptions options, CancellationToken ct)
    {
        var detections = Detections(_library, _engine.Name);
        var library = options.Findings == FindingsMode.Library || (options.Findings == FindingsMode.Auto && m.EventCount <= options.LibraryFindingsEventLimit);
        if (library)
        {
            m.FindingsSource = $"IrTrail query library ({detections.Count} detection queries)";
            foreach (var q in detections)
            {
                ct.ThrowIfCancellationRequested();
                // The total rides along on the example rows: one query per finding, never all its rows.
                var bound = QueryBinder.Bind(q, _engine.Name, null);
                var counted = bound with { Sql = SqlText.WithTotal(bound.Sql, "__hits", options.ExampleRows) };
                var t = Step(m, "finding " + q.Name, () => QueryRunner.Run(_engine, new QueryRequest(counted), ct));
                m.Findings.Add(new DashboardFinding
                {
                    Name = q.Name, Title = q.Title, Severity = q.Severity.ToString(), Mitre = q.Techniques, Tags = q.Tags,
                    Hits = t.Rows.Count == 0 ? 0 : Long(t.Rows[0][0]),
                    Examples = new DashboardTable
                    {
                        Columns = t.Columns.Skip(1).Select(c => c.Name).ToArray(),
                        Rows = t.Rows.Select(r => r.Skip(1).Select(Cell).ToArray()).ToList(),
                    },
                });
            }
        }
        else
        {
            var quick = Run(Queries.QuickFindings, new Hashtable { ["ExampleRows"] = options.ExampleRows }, ct);
            var names = quick.Rows.Select(r => (string)r[0]!).Distinct(StringComparer.Ordinal).ToList();
            m.FindingsSource = $"one pass over the events for {names.Count} detection queries (hits are matching events)" +
                (options.Findings == FindingsMode.Auto ? $": {m.EventCount:N0} events are more than the {options.LibraryFindingsEventLimit:N0} " +
                    "up to which the query library runs one query per finding (use -Findings Library to run it anyway)" : "");
            foreach (var name in names)
            {
                // Title, severity and techniques are the library query's the pass stands for.
                var q = _library.Find(name) ?? throw new DashboardException($"The query '{Queries.QuickFindings}' names '{name}', which is not in the query library.", m.Dataset);
                var rows = quick.Rows.Where(r => (string)r[0]! == name).ToList();
                m.Findings.Add(new DashboardFinding
                {
                    Name = q.Name, Title = q.Title, Severity = q.Severity.ToString(), Mitre = q.Techniques, Tags = q.Tags,
                    Hits = Long(rows[0][1]),
                    Examples = new DashboardTable
                    {
                        Columns = quick.Columns.Skip(2).Select(c => c.Name).ToArray(),
                        Rows = rows.Where(r => Long(r[1]) > 0).Select(r => r.Skip(2).Select(Cell).ToArray()).ToList(),
                    },
                });
            }
        }
        // Worst first, then the most hits: a StopLogging outranks a thousand denied calls.
        m.Findings.Sort((a, b) =>
        {
            var bySeverity = Rank(b.Severity).CompareTo(Rank(a.Severity));
            return bySeverity != 0 ? bySeverity : b.Hits != a.Hits ? b.Hits.CompareTo(a.Hits) : string.CompareOrdinal(a.Name, b.Name);
        });
    }

    private static int Rank(string severity) => Enum.TryParse<QuerySeverity>(severity, out var s) ? (int)s : -1;

    private QueryDefinition Find(string name) =>
        _library.Find(name) is { Kind: QueryKind.Dashboard } q ? q
            : throw new DashboardException($"The query library has no dashboard query '{name}' (kind dashboard): the module's queries folder is incomplete.", _engine.Source);

    private static bool Has(QueryDefinition q, string parameter) => q.Parameters.Any(p => p.Name == parameter);

    private BoundQuery Bind(string name, IDictionary? args) => QueryBinder.Bind(Find(name), _engine.Name, args);

    private QueryResult Run(string name, IDictionary? args, CancellationToken ct) => QueryRunner.Run(_engine, new QueryRequest(Bind(name, args)), ct);

    /// <summary>A result as a page table: times as UTC text, structs and lists as JSON, long text cut.</summary>
    private static DashboardTable Page(QueryResult r) => new()
    {
        Columns = r.Columns.Select(c => c.Name).ToArray(),
        Rows = r.Rows.Select(row => row.Select(Cell).ToArray()).ToList(),
    };

    /// <summary>A value as page text: times as UTC text, structs and lists as JSON, long text cut, whole decimals as longs.</summary>
    private static object? Cell(object? v) => v switch
    {
        null => null,
        DateTime t => t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        string s => s.Length > 300 ? s[..300] + "…" : s,
        decimal d when d == Math.Floor(d) && d is >= long.MinValue and <= long.MaxValue => (long)d,
        bool or long or int or double or decimal => v,
        IEnumerable => System.Text.Json.JsonSerializer.Serialize(v),
        _ => Convert.ToString(v, CultureInfo.InvariantCulture),
    };

    private static T Step<T>(DashboardModel m, string step, Func<T> work)
    {
        var clock = Stopwatch.StartNew();
        try { return work(); }
        catch (QueryException ex) { throw new DashboardException($"The dashboard's '{step}' query failed: {ex.Message}", m.Dataset, ex); }
        catch (QueryParameterException ex) { throw new DashboardException($"The dashboard's '{step}' query failed: {ex.Message}", m.Dataset, ex); }
        finally { m.Timings.Add((step, clock.Elapsed)); }
    }

    private static void Step(DashboardModel m, string step, Action work) => Step<object?>(m, step, () => { work(); return null; });

    private static long Long(object? v) => v is null ? 0 : Convert.ToInt64(v, CultureInfo.InvariantCulture);

    internal static string Version()
    {
        var a = typeof(DashboardBuilder).Assembly;
        var v = a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? a.GetName().Version?.ToString() ?? "?";
        var plus = v.IndexOf('+');
        return plus > 0 ? v[..plus] : v;
    }
}
