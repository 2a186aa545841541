using System.Text;
using IrTrail.Core.Dataset;
using IrTrail.Core.Reading;
using Xunit;
using static IrTrail.Tests.Engine.DatasetTestHelpers;

namespace IrTrail.Tests.Engine;

/// <summary>
/// The Parquet writer takes IrTrail's Arrow batches through the C data interface: every batch's native blocks must come
/// back to the pool once written (a conversion writes thousands of files), the writer must keep no native memory of its
/// own afterwards, and its failures must name the file. Alone: the native memory pool is process-wide.
/// </summary>
[Collection(WriterAloneCollection.Name)]
public sealed class ParquetFileWriterTests
{
    private static RowBuffer Rows()
    {
        var rows = new RowBuffer();
        var mapper = new CloudTrailColumnMapper();
        for (var i = 0; i < 10; i++)
        {
            // Every other record is an IAM user's (sessionIssuer {} and no attributes), the rest an assumed role's.
            var identity = i % 2 == 0
                ? """{"type":"IAMUser","userName":"alice","onBehalfOf":{"userId":"u1"},"sessionContext":{"sessionIssuer":{}}}"""
                : """{"type":"AssumedRole","sessionContext":{"attributes":{"creationDate":"2024-01-01T00:00:00Z","mfaAuthenticated":"false"},"sessionIssuer":{"type":"Role","userName":"r"}}}""";
            var json = Encoding.UTF8.GetBytes($$"""{"eventVersion":"1.08","userIdentity":{{identity}},"eventTime":"2024-01-01T00:00:0{{9 - i}}Z","eventName":"E{{i}}","requestParameters":{"bucketName":"b{{i}}"},"awsRegion":"eu-west-1","recipientAccountId":"111111111111","readOnly":{{(i % 3 == 0 ? "true" : "false")}},"eventID":"6b8b4567-0000-4000-8000-00000000000{{i}}"}""");
            Assert.Equal(CloudTrailColumnMapper.Result.Row, mapper.Map(json, rows, "f"u8, i, true));
        }
        return rows;
    }

    [Fact]
    public void EveryBatchComesBackAndTheWriterKeepsNoNativeMemory()
    {
        var dir = TempDir();
        var rows = Rows();
        var order = RowOrder.ByTime(rows);
        using var pool = new NativeBufferPool();
        for (var n = 0; n < 200; n++)
        {
            // Three batches per file, two row groups of at most 4 rows each... and the rest.
            IEnumerable<Apache.Arrow.RecordBatch> Batches()
            {
                yield return ArrowRows.Build(rows, order, 0, 4, pool);
                yield return ArrowRows.Build(rows, order, 4, 4, pool);
                yield return ArrowRows.Build(rows, order, 8, 2, pool);
            }
            ParquetFileWriter.Write(Path.Combine(dir, $"f{n % 4}.parquet"), Batches(), 4, parallel: n % 2 == 0, CancellationToken.None);
            Assert.Equal(0, pool.InUse);
        }
        Assert.Equal(0L, ParquetSharp.MemoryPool.SystemMemoryPool().BytesAllocated);

        // The file is the dataset's: its rows in the order given, row groups of 4, the struct members NULL only where the
        // record had no such object.
        var file = Path.Combine(dir, "f0.parquet").Replace("'", "''");
        using var q = new IrTrail.Core.Query.LocalQueryEngine();
        object? One(string sql) => q.Query(sql, _ => { }, CancellationToken.None).First()[0];
        Assert.Equal("E9,E8,E7,E6,E5,E4,E3,E2,E1,E0", One($"SELECT string_agg(eventName, ',' ORDER BY file_row_number) FROM read_parquet('{file}', file_row_number = true)"));
        Assert.Equal("4,4,2", One($"SELECT string_agg(row_group_num_rows::VARCHAR, ',' ORDER BY row_group_id) FROM (SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata('{file}'))"));
        Assert.Equal(5L, Convert.ToInt64(One($"SELECT count(*) FROM read_parquet('{file}') WHERE userIdentity.sessionContext.attributes IS NULL")));
        Assert.Equal(0L, Convert.ToInt64(One($"SELECT count(*) FROM read_parquet('{file}') WHERE userIdentity.sessionContext.sessionIssuer IS NULL")));
        Assert.Equal(5L, Convert.ToInt64(One($"SELECT count(*) FROM read_parquet('{file}') WHERE userIdentity.sessionContext.sessionIssuer.userName IS NULL")));
        Assert.Equal("TIMESTAMP WITH TIME ZONE", One($"SELECT typeof(eventTime) FROM read_parquet('{file}') LIMIT 1"));
        Assert.Equal(4L, Convert.ToInt64(One($"SELECT count(*) FROM read_parquet('{file}') WHERE readOnly")));
        // Statistics and zstd on every column chunk.
        Assert.Equal(0L, Convert.ToInt64(One($"SELECT count(*) FROM parquet_metadata('{file}') WHERE compression <> 'ZSTD'")));
        Assert.Equal(0L, Convert.ToInt64(One($"SELECT count(*) FROM parquet_metadata('{file}') WHERE path_in_schema IN ('eventTime', 'eventName', 'userIdentity, userName') AND (stats_min_value IS NULL OR stats_max_value IS NULL)")));
        // ... except the JSON blobs (values here in requestParameters and userIdentity.onBehalfOf): no min/max to prune by.
        Assert.Equal("requestParameters,userIdentity, onBehalfOf", One($"SELECT string_agg(DISTINCT path_in_schema, ',' ORDER BY path_in_schema) FROM parquet_metadata('{file}') WHERE path_in_schema IN ('requestParameters', 'userIdentity, onBehalfOf') AND stats_min_value IS NULL AND stats_max_value IS NULL AND stats_null_count IS NULL"));
        Assert.Equal("b0", One($"SELECT requestParameters::JSON->>'bucketName' FROM read_parquet('{file}') WHERE eventName = 'E0'"));
    }

    [Fact]
    public void AFailedWriteNamesTheFile()
    {
        var rows = Rows();
        using var pool = new NativeBufferPool();
        var path = Path.Combine(TempDir(), "no-such-folder", "part.parquet");
        var ex = Assert.ThrowsAny<IOException>(() =>
            ParquetFileWriter.Write(path, [ArrowRows.Build(rows, RowOrder.ByTime(rows), 0, rows.Count, pool)], 100, parallel: true, CancellationToken.None));
        Assert.Contains(path, ex.Message);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WriterAloneCollection
{
    public const string Name = "Parquet writer memory, alone";
}
