namespace IrTrail.Core.Report;

/// <summary>
/// Where the dashboard's aggregates run. The builder writes its SQL against a relation named <c>ev</c> that the source
/// prepares (the filtered, projected events); the few dialect differences go through the source. The local DuckDB
/// source is the one there is; an Athena table can implement this later without touching the builder or renderer.
/// </summary>
public interface IDashboardSource : IDisposable
{
    /// <summary>What is being shown (a dataset folder, an Athena table), for the page header.</summary>
    string Description { get; }

    /// <summary>The engine's name (Local, Athena), for the page header.</summary>
    string Engine { get; }

    /// <summary>
    /// Makes <c>ev</c> from <paramref name="select"/> (a SELECT list over CloudTrail's columns) over the whole source,
    /// restricted to the time range. This is the one scan of the dataset; every aggregate reads <c>ev</c>.
    /// </summary>
    void Prepare(string select, DateTime? start, DateTime? end, CancellationToken cancellationToken);

    /// <summary>Runs one aggregate query; values are plain .NET values (string, long, double, bool, DateTime).</summary>
    DashboardTable Run(string sql, CancellationToken cancellationToken);

    /// <summary>The dialect's expression for one string field of a JSON text column (null when absent).</summary>
    string JsonString(string column, string path);

    /// <summary>The dialect's expression for a timestamp's bucket start, as epoch milliseconds (BIGINT).</summary>
    string BucketEpochMs(string column, long seconds);

    /// <summary>The dialect's expression for a timestamp as 'yyyy-MM-dd HH:mm:ss' text (UTC).</summary>
    string TimeText(string column);
}
