using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.C;
using Apache.Arrow.Ipc;
using DuckDB.NET.Data;
using Parquet.Schema;

namespace IrTrail.Core.Dataset;

/// <summary>
/// Writes dataset files with DuckDB's own Parquet writer (native zstd, dictionary encoding): IrTrail's rows go in as an
/// Arrow stream (<c>duckdb_arrow_scan</c>, no per-value calls) and out through <c>COPY … TO … (FORMAT parquet)</c>, with
/// userIdentity assembled into its struct by SQL. Rows are written in the order they are given (already sorted by
/// eventTime by the caller). One instance per thread; <see cref="Duplicate"/> gives another connection to the same database.
/// </summary>
internal sealed unsafe class DuckDbFileWriter : IDisposable
{
    private readonly DuckDBConnection _connection;
    private static int _viewSeq;

    public DuckDbFileWriter(int threads, long memoryLimitBytes, string tempDirectory)
    {
        _connection = new DuckDBConnection("DataSource=:memory:");
        _connection.Open();
        Execute($"SET threads = {Math.Max(1, threads)}");
        Execute($"SET memory_limit = '{Math.Max(64, memoryLimitBytes / (1024 * 1024))}MB'");
        Execute($"SET temp_directory = {Quote(tempDirectory)}");
        Execute("SET TimeZone = 'UTC'");
    }

    private DuckDbFileWriter(DuckDBConnection connection) => _connection = connection;

    public DuckDbFileWriter Duplicate()
    {
        var c = (DuckDBConnection)_connection.Duplicate();
        if (c.State != System.Data.ConnectionState.Open) c.Open();
        return new DuckDbFileWriter(c);
    }

    /// <summary>Writes <paramref name="batches"/> as one zstd Parquet file at <paramref name="path"/>, row groups of up to
    /// <paramref name="rowGroupRows"/> rows. The batches are pulled on DuckDB's thread while it writes.</summary>
    public void Write(string path, IEnumerable<RecordBatch> batches, int rowGroupRows, CancellationToken cancellationToken)
    {
        var view = "irtrail_rows_" + Interlocked.Increment(ref _viewSeq);
        using var stream = new BatchStream(batches, cancellationToken);
        var c = CArrowArrayStream.Create();
        try
        {
            CArrowArrayStreamExporter.ExportArrayStream(stream, c);
            ((RawStream*)c)->GetSchema = &SharedSchema;
            var handle = _connection.NativeConnection.DangerousGetHandle();
            if (ArrowScan(handle, view, (IntPtr)c) != 0)
                throw new DatasetException($"DuckDB refused the row stream for '{path}'.");
            try
            {
                Execute($"COPY (SELECT {SelectList} FROM {view}) TO {Quote(path)} " +
                        $"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {Math.Max(1, rowGroupRows)})");
            }
            catch (DuckDBException ex)
            {
                // DuckDB only saw an error code from the stream: the producer's own exception is the one to report.
                stream.ThrowIfFailed();
                // Otherwise DuckDB's own failure (disk full, out of memory): a write failure naming the partition's file.
                throw new IOException($"Writing '{path}' failed in DuckDB: {ex.Message}", ex);
            }
            finally
            {
                try { Execute($"DROP VIEW IF EXISTS {view}"); }
                catch (DuckDBException) { /* the failure above is the one to report; the view dies with the connection */ }
            }
            stream.ThrowIfFailed();
        }
        finally
        {
            CArrowArrayStream.Free(c); // releases the stream (and our enumerator) if DuckDB did not
        }
    }

    /// <summary>
    /// The schema every row stream reports, exported once for the process. DuckDB's <c>duckdb_arrow_scan</c> (and each
    /// bind of the view it creates) asks the stream for its schema and never releases it; with a schema exported per
    /// call that leaked ~40 KB of native memory per dataset file written, without bound on inputs with many partitions.
    /// Every caller gets a shallow copy of this one whose release does nothing, so nothing is allocated per call. (DuckDB
    /// swaps the children's release callbacks while it binds, racing when two writers bind at once; nothing ever
    /// releases this schema, so whichever callback is left is never called.)
    /// </summary>
    private static readonly CArrowSchema* Schema = ExportSchemaOnce();

    private static CArrowSchema* ExportSchemaOnce()
    {
        var schema = CArrowSchema.Create();
        CArrowSchemaExporter.ExportSchema(ArrowRows.Schema, schema);
        return schema;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static int SharedSchema(RawStream* stream, RawSchema* schema)
    {
        *schema = *(RawSchema*)Schema;
        schema->Release = &ReleaseNothing;
        return 0;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static void ReleaseNothing(RawSchema* schema) => schema->Release = null;

    /// <summary>The C data interface's ArrowSchema and ArrowArrayStream, as laid out in memory (Apache.Arrow keeps the
    /// callback fields of its own structs internal).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct RawSchema
    {
        public byte* Format, Name, Metadata;
        public long Flags, ChildCount;
        public RawSchema** Children;
        public RawSchema* Dictionary;
        public delegate* unmanaged[Cdecl]<RawSchema*, void> Release;
        public void* PrivateData;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RawStream
    {
        public delegate* unmanaged[Cdecl]<RawStream*, RawSchema*, int> GetSchema;
        public void* GetNext, GetLastError, Release, PrivateData;
    }

    private void Execute(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();

    private static string Quote(string s) => "'" + s.Replace("'", "''") + "'";

    /// <summary>The dataset's columns from the flat Arrow columns: leaves by name, structs packed in schema order.</summary>
    private static readonly string SelectList = BuildSelectList();

    private static string BuildSelectList()
    {
        var leaf = 0;
        var parts = DatasetSchema.Schema.Fields.Select(f => Expression(f, ref leaf) + " AS " + Identifier(f.Name)).ToList();
        if (leaf != DatasetSchema.Leaves.Length) throw new InvalidOperationException("Dataset schema leaf count mismatch.");
        return string.Join(", ", parts);
    }

    private static string Expression(Parquet.Schema.Field f, ref int leaf)
    {
        if (f is not StructField s) return ArrowRows.ColumnName(leaf++);
        var members = new List<string>();
        foreach (var child in s.Fields) members.Add(Identifier(child.Name) + " := " + Expression(child, ref leaf));
        var packed = "struct_pack(" + string.Join(", ", members) + ")";
        // attributes and sessionIssuer are NULL when the record did not have them, and a struct of NULLs when it had an
        // empty one (IAM users' sessionIssuer is {}). userIdentity and sessionContext are always packed: were they
        // NULL-able too, every leaf below them would carry that in its definition levels, always-NULL ones included
        // (0.4 MB more per million events).
        return s.Name switch
        {
            "attributes" => $"CASE WHEN ({ArrowRows.StructsColumn} & {DatasetColumns.AttributesBit}) <> 0 THEN {packed} END",
            "sessionIssuer" => $"CASE WHEN ({ArrowRows.StructsColumn} & {DatasetColumns.SessionIssuerBit}) <> 0 THEN {packed} END",
            _ => packed,
        };
    }

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    [DllImport("duckdb", EntryPoint = "duckdb_arrow_scan", CallingConvention = CallingConvention.Cdecl)]
    private static extern int ArrowScan(IntPtr connection, [MarshalAs(UnmanagedType.LPUTF8Str)] string tableName, IntPtr arrowStream);

    /// <summary>The batches as an Arrow stream; an exception in the producer is kept and rethrown after the COPY, since
    /// DuckDB only sees "no more data" or an error code.</summary>
    private sealed class BatchStream(IEnumerable<RecordBatch> batches, CancellationToken cancellationToken) : IArrowArrayStream
    {
        private IEnumerator<RecordBatch>? _e;
        private Exception? _failure;
        private int _pulled;
        private const int PurgeEveryBatches = 8;

        public Schema Schema => ArrowRows.Schema;

        public ValueTask<RecordBatch?> ReadNextRecordBatchAsync(CancellationToken token = default)
        {
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Every 16,384 rows (about a row group of ~1 KB rows): each purge costs page faults when DuckDB allocates
                // again, so this trades about 10% of the CPU time for ~80 MB less peak memory (docs/benchmarks.md).
                if (++_pulled % PurgeEveryBatches == 0) DuckDbAllocator.Purge();
                _e ??= batches.GetEnumerator();
                return new ValueTask<RecordBatch?>(_e.MoveNext() ? _e.Current : null);
            }
            catch (Exception ex)
            {
                _failure = ex;
                throw;
            }
        }

        public void ThrowIfFailed()
        {
            if (_failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(_failure).Throw();
        }

        public void Dispose() => _e?.Dispose();
    }
}
