using System.Text.Json;

namespace IrTrail.Core.Sample;

/// <summary>Writes ground-truth.json: the generation settings and, per planted scenario, what a query should find.</summary>
public static class GroundTruthWriter
{
    public static void Write(string path, SampleDataOptions options, SampleDataResult result, IReadOnlyList<ScenarioTruth> scenarios)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        using var w = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("generator", "IrTrail New-IrTrailSampleData");
        w.WriteNumber("seed", options.Seed);
        w.WriteString("startTime", SampleRecordWriter.FormatTime(result.StartTime));
        w.WriteString("endTime", SampleRecordWriter.FormatTime(result.EndTime));
        WriteStrings(w, "accounts", options.Accounts);
        WriteStrings(w, "regions", options.Regions);
        if (options.Organization is not null) w.WriteString("organization", options.Organization);
        w.WriteString("maliciousIp", options.MaliciousIp);
        w.WriteNumber("events", result.Events);
        w.WriteNumber("records", result.Records);
        w.WriteNumber("duplicateDeliveries", result.Duplicates);
        w.WriteNumber("lateDeliveries", result.LateEvents);
        w.WriteNumber("files", result.Files);
        w.WriteStartArray("scenarios");
        foreach (var s in scenarios)
        {
            w.WriteStartObject();
            w.WriteString("name", s.Name);
            w.WriteString("title", s.Title);
            w.WriteString("description", s.Description);
            w.WriteString("account", s.Account);
            w.WriteString("region", s.Region);
            w.WriteString("startTime", SampleRecordWriter.FormatTime(s.StartTime));
            w.WriteString("endTime", SampleRecordWriter.FormatTime(s.EndTime));
            w.WriteStartArray("techniques");
            foreach (var t in s.Techniques)
            {
                w.WriteStartObject();
                w.WriteString("id", t.Id);
                w.WriteString("name", t.Name);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("actors");
            WriteStrings(w, "principals", s.Principals);
            WriteStrings(w, "sourceIPAddresses", s.SourceIPAddresses);
            WriteStrings(w, "accessKeyIds", s.AccessKeyIds);
            w.WriteEndObject();
            WriteStrings(w, "eventNames", s.EventNames);
            w.WriteNumber("eventCount", s.EventIds.Count);
            WriteStrings(w, "eventIds", s.EventIds);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
