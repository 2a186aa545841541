using System.Collections;
using System.Runtime.CompilerServices;
using IrTrail.Core.Query;
using IrTrail.Core.Report;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Engine;

/// <summary>
/// The engine seam holds for an engine shaped like Athena: it is sent the Athena text (<c>cloudtrail</c> and earlier
/// relations as common table expressions, values as execution parameters), answers in pages, reports its own statistics
/// and execution id, and is stopped by a call of its own. The dashboard, the measurement and the runner work on it
/// unchanged and give what the local engine gives.
/// </summary>
public class EngineSeamTests
{
    /// <summary>
    /// A stand-in for a remote engine. It "sends" what Athena would get (the rendered text and its execution parameters)
    /// and runs exactly that text in a DuckDB of its own (with the Trino macros) over a table named like Athena's.
    /// </summary>
    private sealed class RemoteLikeEngine : IQueryEngine
    {
        private const string Table = "remote_cloudtrail";
        private readonly LocalQueryEngine _backend;
        private readonly List<(string Name, BoundQuery Query)> _relations = [];
        private int _executions;

        public RemoteLikeEngine(string dataset, int pageSize = 3)
        {
            _backend = new LocalQueryEngine(CloudTrailView.Open([dataset]));
            // The backend's own relation is renamed away, so only the rendered text's CTE can make `cloudtrail`.
            _backend.Execute($"CREATE TEMP TABLE {Table} AS SELECT * FROM cloudtrail");
            _backend.Execute("DROP VIEW cloudtrail");
            PageSize = pageSize;
        }

        public int PageSize { get; }
        public List<string> Sent { get; } = [];
        public List<IReadOnlyList<string>> SentParameters { get; } = [];
        public List<string> Stopped { get; } = [];
        public int Pages { get; private set; }
        public DateTime? StartTime { get; init; }
        public DateTime? EndTime { get; init; }

        public string Name => "Remote";
        public string Source => Table;

        public Task<StatementCheck> CheckAsync(string sql, CancellationToken cancellationToken) => _backend.CheckAsync(sql, cancellationToken);

        public Task DefineRelationAsync(string name, BoundQuery query, CancellationToken cancellationToken)
        {
            _relations.Add((name, query));
            return Task.CompletedTask;
        }

        public async Task<IQueryExecution> StartAsync(QueryRequest request, CancellationToken cancellationToken)
        {
            var rendered = AthenaQueryText.Render(request.Query, Table, StartTime, EndTime, _relations);
            Sent.Add(rendered.Sql);
            SentParameters.Add(AthenaQueryText.ExecutionParameters(rendered));
            var id = $"exec-{++_executions}";
            request.Progress?.Report(new QueryProgress("QUEUED", TimeSpan.Zero, null, id));
            var inner = await _backend.StartAsync(new QueryRequest(rendered) { ReadOnly = request.ReadOnly }, cancellationToken);
            request.Progress?.Report(new QueryProgress("RUNNING", TimeSpan.FromMilliseconds(1), 1234, id));
            return new Execution(this, inner, id, request);
        }

        private sealed class Execution(RemoteLikeEngine engine, IQueryExecution inner, string id, QueryRequest request) : IQueryExecution
        {
            private bool _finished, _disposed;
            public string? ExecutionId => id;
            public IReadOnlyList<QueryColumn> Columns => inner.Columns;
            public QueryStatistics? Statistics { get; private set; }

            public async IAsyncEnumerable<object?[]> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
            {
                using var stop = cancellationToken.Register(() => engine.Stopped.Add(id));
                var page = new List<object?[]>();
                long rows = 0;
                await foreach (var row in inner.ReadAsync(cancellationToken))
                {
                    page.Add(row);
                    if (page.Count < engine.PageSize) continue;
                    engine.Pages++;
                    foreach (var r in page) { cancellationToken.ThrowIfCancellationRequested(); rows++; yield return r; }
                    page.Clear();
                }
                engine.Pages++;
                foreach (var r in page) { cancellationToken.ThrowIfCancellationRequested(); rows++; yield return r; }
                _finished = true;
                if (request.Statistics)
                    Statistics = new QueryStatistics { Engine = engine.Name, ExecutionId = id, Query = request.Query.Name, Rows = rows, BytesRead = 10_485_760, EstimatedCost = 0.00005m };
            }

            public async ValueTask DisposeAsync()
            {
                if (_disposed) return;
                _disposed = true;
                if (!_finished && !engine.Stopped.Contains(id)) engine.Stopped.Add(id); // StopQueryExecution
                await inner.DisposeAsync();
            }
        }

        public void Dispose() => _backend.Dispose();
    }

    private static readonly Lazy<string> Dataset = new(() =>
    {
        var ds = DatasetTestHelpers.TempDir();
        DatasetTestHelpers.ConvertAsync(TestPaths.FixtureLogs, ds).GetAwaiter().GetResult();
        return ds;
    });

    [Fact]
    public void A_library_query_with_parameters_is_sent_with_execution_parameters_and_paged_back()
    {
        var lib = QueryLibraryTests.Library();
        var query = QueryRows.Bind(lib.Find("identity-principal-activity")!, new Hashtable { ["Arn"] = "arn:aws:iam::111122223333:user/alice" });
        using var local = new LocalQueryEngine(CloudTrailView.Open([Dataset.Value]));
        using var remote = new RemoteLikeEngine(Dataset.Value);
        var expected = QueryRunner.Run(local, new QueryRequest(query), CancellationToken.None);
        var progress = new List<QueryProgress>();
        var got = QueryRunner.Run(remote, new QueryRequest(query) { Statistics = true, Progress = new SyncProgress(progress) }, CancellationToken.None);
        Assert.True(expected.Rows.Count > remote.PageSize, $"{expected.Rows.Count} rows: too few to need pages");
        Assert.Equal(expected.Columns, got.Columns);
        Assert.Equal(expected.Rows, got.Rows);
        Assert.True(remote.Pages > 1, $"{remote.Pages} page(s)");
        Assert.DoesNotContain("alice", Assert.Single(remote.Sent));
        Assert.Equal(["'arn:aws:iam::111122223333:user/alice'", "'arn:aws:iam::111122223333:user/alice'"], remote.SentParameters.Single());
        Assert.Equal(["QUEUED", "RUNNING"], progress.Select(p => p.State));
        Assert.Equal("exec-1", got.Statistics!.ExecutionId);
        Assert.Equal(0.00005m, got.Statistics.EstimatedCost);
        Assert.Empty(remote.Stopped);
    }

    [Fact]
    public async Task Stopping_early_or_cancelling_stops_the_remote_query()
    {
        using var remote = new RemoteLikeEngine(Dataset.Value, pageSize: 2);
        var request = new QueryRequest(BoundQuery.Adhoc("SELECT eventID FROM cloudtrail ORDER BY eventID"));
        await foreach (var _ in QueryRunner.StreamAsync(remote, request, _ => { }, _ => { }, CancellationToken.None)) break; // Select-Object -First 1
        Assert.Equal(["exec-1"], remote.Stopped);
        using var cancel = new CancellationTokenSource();
        var rows = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in QueryRunner.StreamAsync(remote, request, _ => { }, _ => { }, cancel.Token))
                if (++rows == 1) cancel.Cancel(); // Ctrl+C while rows are coming
        });
        Assert.Equal(1, rows);
        Assert.Equal(["exec-1", "exec-2"], remote.Stopped);
    }

    [Fact]
    public void The_dashboard_is_the_same_page_from_a_remote_engine()
    {
        var lib = QueryLibraryTests.Library();
        var options = new DashboardOptions { IpAddresses = ["5.205.62.253"], Findings = FindingsMode.Library };
        DashboardModel local, remote;
        using (var engine = LocalDashboard.Open(Dataset.Value, null, null, CancellationToken.None))
            local = new DashboardBuilder(engine, lib).Build(options, CancellationToken.None);
        using (var engine = new RemoteLikeEngine(Dataset.Value))
        {
            remote = new DashboardBuilder(engine, lib).Build(options, CancellationToken.None);
            // Every panel query was sent with the events relation in front of it, as Athena needs.
            Assert.All(engine.Sent.Where(s => s.Contains(" FROM ev", StringComparison.Ordinal)), s => Assert.Contains("ev AS (SELECT", s));
        }
        Assert.Equal(local.EventCount, remote.EventCount);
        Assert.Equal(local.FirstEvent, remote.FirstEvent);
        Assert.Equal(local.Tables.Keys.Order(), remote.Tables.Keys.Order());
        foreach (var (name, table) in local.Tables)
        {
            Assert.Equal(table.Columns, remote.Tables[name].Columns);
            Assert.Equal(table.Rows.Select(r => string.Join("|", r)), remote.Tables[name].Rows.Select(r => string.Join("|", r)));
        }
        Assert.Equal(local.Findings.Select(f => (f.Name, f.Hits)), remote.Findings.Select(f => (f.Name, f.Hits)));
        Assert.Equal("Remote", remote.Engine);
    }

    [Fact]
    public void A_time_window_is_applied_by_the_remote_text_as_locally()
    {
        var start = new DateTime(2024, 3, 2, 0, 0, 0, DateTimeKind.Utc);
        var view = CloudTrailView.Open([Dataset.Value]);
        view.StartTime = start;
        using var local = new LocalQueryEngine(view);
        using var remote = new RemoteLikeEngine(Dataset.Value) { StartTime = start };
        var q = BoundQuery.Adhoc("SELECT eventID FROM cloudtrail ORDER BY eventID");
        var expected = QueryRunner.Run(local, new QueryRequest(q), CancellationToken.None).Rows;
        Assert.NotEmpty(expected);
        Assert.Equal(expected, QueryRunner.Run(remote, new QueryRequest(q), CancellationToken.None).Rows);
        using var all = new LocalQueryEngine(CloudTrailView.Open([Dataset.Value]));
        Assert.True(QueryRunner.Run(all, new QueryRequest(q), CancellationToken.None).Rows.Count > expected.Count, "the window filtered nothing");
    }

    [Fact]
    public void The_measurement_takes_the_engines_own_figures()
    {
        using var json = new RemoteLikeEngine(Dataset.Value);
        using var parquet = new RemoteLikeEngine(Dataset.Value);
        var m = QueryMeasurement.Run(QueryRows.Bind(QueryLibraryTests.Library().Find("talk-api-errors")!), "talk-api-errors", json, parquet, 2, CancellationToken.None);
        Assert.Equal("Remote", m.Engine);
        Assert.Equal(10_485_760, m.JsonBytesScanned);
        Assert.Equal(0.00005m, m.ParquetCost);
        Assert.Equal(2, json.Sent.Count);
    }

    private sealed class SyncProgress(List<QueryProgress> list) : IProgress<QueryProgress>
    {
        public void Report(QueryProgress value) => list.Add(value);
    }
}
