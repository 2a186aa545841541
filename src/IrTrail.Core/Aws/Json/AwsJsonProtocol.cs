using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Transform;
using Amazon.Runtime.Internal.Util;

namespace IrTrail.Core.Aws.Json;

/// <summary>
/// The AWS JSON 1.0/1.1 wire format for the generated shapes: members by their model names, unset (null) members
/// omitted, timestamps as epoch seconds, blobs as base64 (System.Text.Json's own byte[] handling), NaN/Infinity as
/// the strings AWS uses. Only members declared in IrTrail's generated code are serialised, never the SDK base classes'.
/// </summary>
internal static class AwsJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // bodies are not HTML; keeps SQL text readable
        MaxDepth = 256,
        Converters = { new AwsEpochSecondsConverter() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { OnlyGeneratedMembers } },
    };

    private static void OnlyGeneratedMembers(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object) return;
        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            if (info.Properties[i].AttributeProvider is MemberInfo m && m.DeclaringType?.Assembly != typeof(AwsJson).Assembly)
                info.Properties.RemoveAt(i);
        }
    }
}

/// <summary>One operation's request as an HTTP request: POST / with X-Amz-Target and the JSON body.</summary>
internal sealed class AwsJsonRequestMarshaller(AwsJsonService service, string operation) : IMarshaller<IRequest, AmazonWebServiceRequest>
{
    public IRequest Marshall(AmazonWebServiceRequest input)
    {
        (input as AwsRequest)?.FillIdempotencyTokens();
        var request = new DefaultRequest(input, service.ServiceId) { HttpMethod = "POST", ResourcePath = "/" };
        request.Headers["X-Amz-Target"] = service.TargetPrefix + "." + operation;
        request.Headers["Content-Type"] = "application/x-amz-json-" + service.JsonVersion;
        request.Content = JsonSerializer.SerializeToUtf8Bytes(input, input.GetType(), AwsJson.Options);
        return request;
    }
}

/// <summary>A JSON response body as the generated response type; errors through the SDK's own JSON error reader
/// (__type / code / message, x-amzn-ErrorType), so ErrorCode and RequestId are what the service said.</summary>
internal sealed class AwsJsonResponseUnmarshaller<T> : JsonResponseUnmarshaller where T : AmazonWebServiceResponse, new()
{
    public static AwsJsonResponseUnmarshaller<T> Instance { get; } = new();

    public override AmazonWebServiceResponse Unmarshall(JsonUnmarshallerContext input)
    {
        using var body = new MemoryStream();
        input.Stream.CopyTo(body);
        return body.Length == 0 ? new T() : JsonSerializer.Deserialize<T>(body.GetBuffer().AsSpan(0, (int)body.Length), AwsJson.Options) ?? new T();
    }

    public override AmazonServiceException UnmarshallException(JsonUnmarshallerContext input, Exception innerException, HttpStatusCode statusCode)
    {
        var reader = new StreamingUtf8JsonReader(input.Stream, AWSConfigs.StreamingUtf8JsonReaderBufferSize ?? 4096, input.JsonMaxDepth);
        var error = JsonErrorResponseUnmarshaller.GetInstance().Unmarshall(input, ref reader);
        return new AmazonServiceException(error.Message, innerException, error.Type, error.Code, error.RequestId, statusCode);
    }
}

/// <summary>Timestamps as epoch seconds (the JSON protocols' default): whole seconds when exact, else milliseconds
/// as a decimal fraction. Reads numbers and, leniently, ISO 8601 strings. Values are UTC.</summary>
internal sealed class AwsEpochSecondsConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
            return AwsIso8601Converter.Parse(reader.GetString()!);
        var seconds = reader.GetDecimal();
        return DateTime.UnixEpoch.AddTicks((long)decimal.Round(seconds * TimeSpan.TicksPerSecond));
    }

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        var ticks = Utc(value).Ticks - DateTime.UnixEpoch.Ticks;
        var ms = (long)Math.Floor(ticks / (double)TimeSpan.TicksPerMillisecond);
        if (ms % 1000 == 0) writer.WriteNumberValue(ms / 1000);
        else writer.WriteNumberValue(ms / 1000m);
    }

    /// <summary>Unspecified is taken as UTC (what the SDK hands out); Local is converted.</summary>
    internal static DateTime Utc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Local => value.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(value, DateTimeKind.Utc),
        _ => value,
    };
}

/// <summary>Timestamps a model marks timestampFormat "iso8601".</summary>
internal sealed class AwsIso8601Converter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Parse(reader.GetString()!);

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(AwsEpochSecondsConverter.Utc(value).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));

    internal static DateTime Parse(string text) =>
        DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}

/// <summary>Timestamps a model marks timestampFormat "rfc822" (HTTP dates).</summary>
internal sealed class AwsRfc822Converter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTime.ParseExact(reader.GetString()!, "r", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(AwsEpochSecondsConverter.Utc(value).ToString("r", CultureInfo.InvariantCulture));
}
