namespace IrTrail.Core.Query;

/// <summary>
/// Where queries run: the in-process DuckDB over a dataset or raw logs (<see cref="LocalQueryEngine"/>), or a remote
/// engine such as Athena over a Glue table. Every library query reads the relation <c>cloudtrail</c>; the engine says
/// what it is (a view, a common table expression over a table) and applies the time window to it. Cmdlets, the
/// dashboard and the measurement only talk to this interface, so an engine that runs remotely, pages its results,
/// reports its own statistics and is stopped by a call of its own fits without changing them.
/// </summary>
/// <remarks>
/// Contract for implementations:
/// <list type="bullet">
/// <item>Parameters arrive as <see cref="QueryValue"/>s beside SQL holding one <c>?</c> per value: bind them (DuckDB
/// prepared statement, Athena <c>ExecutionParameters</c> from <see cref="QueryValue.ToTrinoLiteral"/>), never splice.</item>
/// <item><see cref="QueryRequest.ReadOnly"/>: refuse, before anything runs, any text that is not one read-only query
/// (<see cref="CheckAsync"/> says which).</item>
/// <item>Cancelling the token passed to <see cref="StartAsync"/> or to <see cref="IQueryExecution.ReadAsync"/>, and
/// disposing an execution whose rows were not all read, stop the query where it runs (DuckDB interrupt,
/// StopQueryExecution) before the call returns.</item>
/// <item>Failures are <see cref="QueryException"/>s carrying the engine's own message; never an SDK or DuckDB type.</item>
/// </list>
/// </remarks>
internal interface IQueryEngine : IDisposable
{
    /// <summary><see cref="QueryEngines.Local"/> or <see cref="QueryEngines.Athena"/>: picks the library's SQL and names the engine in statistics and errors.</summary>
    string Name { get; }

    /// <summary>What <c>cloudtrail</c> is here (a dataset folder, raw log files, <c>"catalog"."db"."table"</c>), for messages and statistics.</summary>
    string Source { get; }

    /// <summary>
    /// Whether <paramref name="sql"/> is a single read-only query, without running it (a statement that writes files,
    /// attaches databases or changes the session is not).
    /// </summary>
    Task<StatementCheck> CheckAsync(string sql, CancellationToken cancellationToken);

    /// <summary>
    /// Makes a relation named <paramref name="name"/> from a query, visible to the queries that follow on this engine:
    /// the dashboard scans <c>cloudtrail</c> once into <c>ev</c> and aggregates that. Local: a temporary table. A remote
    /// engine may put it in front of later queries as a common table expression (<see cref="SqlText.WithCtes"/>).
    /// </summary>
    Task DefineRelationAsync(string name, BoundQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Starts a query and returns once its columns are known (a remote engine: once it has succeeded and its first
    /// page is in). Progress on the way (queued, running, data scanned) goes to <see cref="QueryRequest.Progress"/>.
    /// </summary>
    Task<IQueryExecution> StartAsync(QueryRequest request, CancellationToken cancellationToken);
}

/// <summary>One running query: its columns, its rows (paged by the engine as it needs), then its statistics.</summary>
internal interface IQueryExecution : IAsyncDisposable
{
    /// <summary>The engine's id for this run (Athena's QueryExecutionId), or null where there is none.</summary>
    string? ExecutionId { get; }

    IReadOnlyList<QueryColumn> Columns { get; }

    /// <summary>The rows, as plain .NET values (<see cref="DuckDbValueConverter"/> shapes): read once.</summary>
    IAsyncEnumerable<object?[]> ReadAsync(CancellationToken cancellationToken);

    /// <summary>What the run cost, once every row was read; null before that or when the request did not ask.</summary>
    QueryStatistics? Statistics { get; }
}

/// <summary>What to run: SQL with <c>?</c> per parameter value, and how.</summary>
internal sealed record QueryRequest(BoundQuery Query)
{
    /// <summary>Refuse anything but one read-only query (library queries and query packs always; typed SQL never).</summary>
    public bool ReadOnly { get; init; } = true;

    /// <summary>Measure the run (bytes and files read, or the remote engine's own figures).</summary>
    public bool Statistics { get; init; }

    /// <summary>Where a remote engine reports its state while the query is queued or running. Called on any thread.</summary>
    public IProgress<QueryProgress>? Progress { get; init; }
}

/// <summary>A running query's state, as the engine reports it (Athena: QUEUED / RUNNING with data scanned so far).</summary>
internal sealed record QueryProgress(string State, TimeSpan Elapsed, long? BytesScanned = null, string? ExecutionId = null);

/// <summary>What a text is, checked without running it. <see cref="Kind"/>: SELECT, the first keyword of a statement
/// that is not one (COPY, ATTACH, …), or <see cref="Unparsable"/> when the engine's parser rejects it (the run then
/// reports the syntax error, without executing anything).</summary>
internal sealed record StatementCheck(bool IsReadOnlyQuery, int Statements, string Kind)
{
    public const string Select = "SELECT", Unparsable = "unparsable";

    /// <summary>A statement may write files, attach databases or change the session: typed SQL asks ShouldProcess first.</summary>
    public bool MayWrite => Kind is not (Select or Unparsable);

    /// <summary>Why it is not a single read-only query (for the error or the -WhatIf line).</summary>
    public string Describe() => Statements != 1
        ? $"{Statements} statements"
        : IsReadOnlyQuery ? "a read-only query" : $"a {Kind} statement, which is not a read-only query";
}
