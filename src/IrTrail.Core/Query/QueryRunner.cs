namespace IrTrail.Core.Query;

/// <summary>Rows and statistics of one run, read to the end (bounded results: the dashboard's, the measurement's).</summary>
internal sealed record QueryResult(IReadOnlyList<QueryColumn> Columns, List<object?[]> Rows, QueryStatistics? Statistics);

/// <summary>Runs requests on any <see cref="IQueryEngine"/>, streamed or read to the end.</summary>
internal static class QueryRunner
{
    public static async Task<QueryResult> RunAsync(IQueryEngine engine, QueryRequest request, CancellationToken cancellationToken)
    {
        await using var execution = await engine.StartAsync(request, cancellationToken).ConfigureAwait(false);
        var rows = new List<object?[]>();
        await foreach (var row in execution.ReadAsync(cancellationToken).ConfigureAwait(false)) rows.Add(row);
        return new QueryResult(execution.Columns, rows, execution.Statistics);
    }

    public static QueryResult Run(IQueryEngine engine, QueryRequest request, CancellationToken cancellationToken) =>
        RunAsync(engine, request, cancellationToken).GetAwaiter().GetResult();

    /// <summary>
    /// The rows as they come (for a consumer on another thread, e.g. the cmdlets' read-ahead): columns first through
    /// <paramref name="onColumns"/>, statistics through <paramref name="onStatistics"/> once the last row was read.
    /// Stopping the enumeration early disposes the execution, which stops the query.
    /// </summary>
    public static async IAsyncEnumerable<object?[]> StreamAsync(IQueryEngine engine, QueryRequest request,
        Action<IReadOnlyList<QueryColumn>> onColumns, Action<QueryStatistics?> onStatistics,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var execution = await engine.StartAsync(request, cancellationToken).ConfigureAwait(false);
        onColumns(execution.Columns);
        await foreach (var row in execution.ReadAsync(cancellationToken).ConfigureAwait(false)) yield return row;
        onStatistics(execution.Statistics);
    }
}
