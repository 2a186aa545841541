using System.Collections;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace IrTrail.Core.Dataset;

/// <summary>
/// Rebuilds a CloudTrail record's JSON from a dataset row (column name → value, userIdentity as a dictionary), the
/// inverse of <see cref="Reading.CloudTrailColumnMapper"/>: typed columns give their values back, JSON-text columns are
/// written verbatim, a NULL requestParameters or responseElements is the null CloudTrail wrote (unless otherFields lists
/// it as absent), and <see cref="DatasetColumns.OtherFieldsName"/> adds (and overrides with) the fields kept as received.
/// Object key order is not preserved.
/// </summary>
public static class RecordRebuilder
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Rebuild(IReadOnlyDictionary<string, object?> row)
    {
        using var other = row.GetValueOrDefault(DatasetColumns.OtherFieldsName) is string o ? JsonDocument.Parse(o) : null;
        var overridden = new HashSet<string>(StringComparer.Ordinal);
        var absent = new HashSet<string>(StringComparer.Ordinal);
        if (other is not null)
            foreach (var p in other.RootElement.EnumerateObject())
            {
                if (p.Name == DatasetColumns.AbsentKey) absent.UnionWith(p.Value.EnumerateArray().Select(n => n.GetString()!));
                else overridden.Add(InputName(p.Name));
            }

        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, Options))
        {
            w.WriteStartObject();
            foreach (var (name, _, json) in DatasetColumns.TopLevel)
            {
                if (overridden.Contains(name)) continue;
                if (row.GetValueOrDefault(name) is not string v)
                {
                    // NULL in these columns is the null CloudTrail wrote, unless the record did not have the key.
                    if (DatasetColumns.NullWhenEmpty.Contains(name) && !absent.Contains(name)) w.WriteNull(name);
                    continue;
                }
                if (json) { w.WritePropertyName(name); w.WriteRawValue(v, skipInputValidation: true); }
                else w.WriteString(name, v);
            }
            foreach (var (name, _) in DatasetColumns.TopLevelBools)
                if (!overridden.Contains(name) && row.GetValueOrDefault(name) is bool b) w.WriteBoolean(name, b);
            if (!overridden.Contains("eventTime") && row.GetValueOrDefault("eventTime") is DateTime t)
                w.WriteString("eventTime", t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));
            if (!overridden.Contains("userIdentity") && row.GetValueOrDefault("userIdentity") is IDictionary ui && HasValue(ui, 0))
            {
                w.WritePropertyName("userIdentity");
                WriteStruct(w, ui, DatasetColumns.UserIdentity, 0);
            }
            if (other is not null)
                foreach (var p in other.RootElement.EnumerateObject())
                {
                    if (p.Name == DatasetColumns.AbsentKey) continue;
                    w.WritePropertyName(InputName(p.Name));
                    p.Value.WriteTo(w);
                }
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>An otherFields key as the input had it: the reserved prefix, doubled by the mapper, is taken off once.</summary>
    private static string InputName(string key) =>
        key.StartsWith(DatasetColumns.ReservedPrefix, StringComparison.Ordinal) ? key[DatasetColumns.ReservedPrefix.Length..] : key;

    /// <summary>Whether a userIdentity (depth 0) or sessionContext (1) struct, which is always packed, stands for an
    /// object: a member has a value, or (in sessionContext) an attributes or sessionIssuer struct is there at all, as
    /// those are NULL unless the record had the object, empty or not.</summary>
    private static bool HasValue(IDictionary d, int depth)
    {
        foreach (DictionaryEntry e in d)
        {
            if (e.Value is null) continue;
            if (e.Value is not IDictionary sub || depth == 1 || HasValue(sub, depth + 1)) return true;
        }
        return false;
    }

    private static void WriteStruct(Utf8JsonWriter w, IDictionary d, (string Name, int Slot, bool Json)[] members, int depth)
    {
        w.WriteStartObject();
        foreach (var (name, _, json) in members)
        {
            if (d[name] is not string v) continue;
            if (json) { w.WritePropertyName(name); w.WriteRawValue(v, skipInputValidation: true); }
            else w.WriteString(name, v);
        }
        if (depth == 0 && d["sessionContext"] is IDictionary sc && HasValue(sc, 1))
        {
            w.WritePropertyName("sessionContext");
            WriteStruct(w, sc, DatasetColumns.SessionContext, 1);
        }
        if (depth == 1)
        {
            if (d["attributes"] is IDictionary a) { w.WritePropertyName("attributes"); WriteStruct(w, a, DatasetColumns.Attributes, 2); }
            if (d["sessionIssuer"] is IDictionary si) { w.WritePropertyName("sessionIssuer"); WriteStruct(w, si, DatasetColumns.SessionIssuer, 2); }
        }
        w.WriteEndObject();
    }
}
