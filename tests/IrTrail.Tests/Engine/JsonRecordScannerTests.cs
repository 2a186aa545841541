using System.IO.Compression;
using System.Text;
using IrTrail.Core.Reading;
using IrTrail.Tests.Support;

namespace IrTrail.Tests.Engine;

public class JsonRecordScannerTests
{
    private static List<string> Scan(byte[] data, int chunk, out JsonRecordScanner scanner)
    {
        scanner = new JsonRecordScanner(new Reading.MemorySource(data, chunk).OpenAsync(default).Result);
        var list = new List<string>();
        while (scanner.NextAsync().AsTask().Result is { } rec) list.Add(Encoding.UTF8.GetString(rec.Span));
        return list;
    }

    public static TheoryData<string, int, FileShape> Shapes => new()
    {
        { """{"Records":[{"eventID":"a"},{"eventID":"b"}]}""", 2, FileShape.Records },
        { """ {"Records" : [ ] } """, 0, FileShape.Records },
        { """[{"eventID":"a"},{"eventID":"b"},{"eventID":"c"}]""", 3, FileShape.Array },
        { "[]", 0, FileShape.Array },
        { """{"eventID":"a","eventTime":"2024-01-01T00:00:00Z"}""", 1, FileShape.Objects },
        { "{\"eventID\":\"a\"}\n{\"eventID\":\"b\"}\r\n\n{\"eventID\":\"c\",\"@timestamp\":\"x\"}\n", 3, FileShape.Objects },
        { """{"other":1,"Records":[{"eventID":"a"}]}""", 1, FileShape.Records },
        { """{"Records":[{"eventID":"a"}],"trailing":{"x":[1,2]}}""", 1, FileShape.Records },
        { "   \n ", 0, FileShape.Empty },
        { "", 0, FileShape.Empty },
        { """{"digestStartTime":"x","digestEndTime":"y","logFiles":[]}""", 0, FileShape.Digest },
    };

    /// <summary>The end is null however it is reached, again on every later call: a record returned synchronously from
    /// the buffer must not turn the end into an empty record.</summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_end_stays_null(string json, int expected, FileShape shape)
    {
        _ = shape;
        foreach (var converterMode in new[] { true, false })
        {
            using var scanner = new JsonRecordScanner(new Reading.MemorySource(Encoding.UTF8.GetBytes(json), 4096).OpenAsync(default).Result,
                validateRecords: !converterMode);
            var records = 0;
            while (scanner.NextAsync().AsTask().Result is not null) records++;
            Assert.Equal(expected, records);
            for (var again = 0; again < 3; again++) Assert.Null(scanner.NextAsync().AsTask().Result);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_shape_gives_its_records_whatever_the_read_size(string json, int expected, FileShape shape)
    {
        foreach (var chunk in new[] { 1, 3, 7, 4096 })
        {
            var records = Scan(Encoding.UTF8.GetBytes(json), chunk, out var scanner);
            Assert.Equal(expected, records.Count);
            Assert.Equal(shape, scanner.Shape);
            foreach (var r in records) Assert.StartsWith("{", r);
        }
    }

    [Fact]
    public void Record_bytes_are_exactly_the_source_text()
    {
        var records = Scan(Encoding.UTF8.GetBytes("{\"Records\":[ {\"a\" : 1.0,\"b\":[1, 2]} ,{\"c\":\"\\u00e9\"}]}"), 2, out _);
        Assert.Equal(["{\"a\" : 1.0,\"b\":[1, 2]}", "{\"c\":\"\\u00e9\"}"], records);
    }

    [Fact]
    public void Utf8_byte_order_mark_is_skipped()
    {
        var data = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("[{\"eventID\":\"a\"}]")).ToArray();
        Assert.Single(Scan(data, 1, out _));
    }

    [Fact]
    public void Gzip_is_detected_by_content()
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(Encoding.UTF8.GetBytes("{\"Records\":[{\"eventID\":\"a\"}]}"));
        var records = Scan(ms.ToArray(), 5, out var scanner);
        Assert.Single(records);
        Assert.True(scanner.Compressed);
    }

    [Fact]
    public void Memory_follows_the_largest_record_not_the_file()
    {
        // ~64 MB envelope of 1 KB records: the buffer must never grow past its initial size.
        var stream = new GeneratedEnvelopeStream(records: 64_000, recordBytes: 1000);
        using var scanner = new JsonRecordScanner(stream);
        long n = 0;
        while (scanner.NextAsync().AsTask().Result is not null) n++;
        Assert.Equal(64_000, n);
        Assert.True(scanner.PeakBufferBytes <= 512 * 1024, $"peak buffer {scanner.PeakBufferBytes:N0} bytes");
        Assert.True(scanner.BytesConsumed > 60_000_000);
    }

    [Fact]
    public void A_record_larger_than_the_buffer_is_still_read_whole()
    {
        var big = new string('x', 3_000_000);
        var json = $"{{\"Records\":[{{\"eventID\":\"a\",\"requestParameters\":{{\"blob\":\"{big}\"}}}},{{\"eventID\":\"b\"}}]}}";
        var records = Scan(Encoding.UTF8.GetBytes(json), 65536, out var scanner);
        Assert.Equal(2, records.Count);
        Assert.Contains(big, records[0]);
        Assert.True(scanner.PeakBufferBytes >= 3_000_000);
    }

    [Theory]
    [InlineData("{\"Records\":[{\"eventID\":\"a\"},{\"eventID\":", 1, ReadFaultKind.MalformedJson)]
    [InlineData("[{\"eventID\":\"a\"},{\"eventID\" \"b\"}]", 1, ReadFaultKind.MalformedJson)]
    [InlineData("{\"Records\":[{\"eventID\":\"a\"}, 42]}", 1, ReadFaultKind.NotCloudTrail)]
    [InlineData("{\"Records\":{\"eventID\":\"a\"}}", 0, ReadFaultKind.NotCloudTrail)]
    [InlineData("hello", 0, ReadFaultKind.NotCloudTrail)]
    public void Faults_keep_the_records_before_them(string json, int before, ReadFaultKind kind)
    {
        var scanner = new JsonRecordScanner(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        var got = 0;
        var ex = Assert.Throws<CloudTrailFormatException>(() =>
        {
            while (scanner.NextAsync().AsTask().GetAwaiter().GetResult() is not null) got++;
        });
        Assert.Equal(before, got);
        Assert.Equal(kind, ex.Kind);
        Assert.NotNull(ex.RecordIndex);
    }

    /// <summary>Produces {"Records":[ ... ]} on the fly, never holding more than one record.</summary>
    private sealed class GeneratedEnvelopeStream(int records, int recordBytes) : Stream
    {
        private int _next = -1;
        private byte[] _current = Encoding.UTF8.GetBytes("{\"Records\":[");
        private int _offset;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_offset == _current.Length)
            {
                _next++;
                if (_next > records) return 0;
                _current = _next == records
                    ? Encoding.UTF8.GetBytes("]}")
                    : Encoding.UTF8.GetBytes((_next > 0 ? "," : "") + $"{{\"eventID\":\"{_next}\",\"pad\":\"{new string('p', recordBytes - 30)}\"}}");
                _offset = 0;
            }
            var n = Math.Min(count, _current.Length - _offset);
            Array.Copy(_current, _offset, buffer, offset, n);
            _offset += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long o, SeekOrigin s) => throw new NotSupportedException();
        public override void SetLength(long v) => throw new NotSupportedException();
        public override void Write(byte[] b, int o, int c) => throw new NotSupportedException();
    }
}
