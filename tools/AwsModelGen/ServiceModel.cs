using System.Text.Json.Nodes;

namespace AwsModelGen;

/// <summary>
/// One service's model as the emitters see it: the operations to generate, the shapes they reach (stopping at raw-JSON
/// shapes and documents), C# names for shapes and members, and the protocol facts. Anything the JSON protocols need
/// that is not handled here fails loudly rather than generating something subtly wrong.
/// </summary>
internal sealed class ServiceModel
{
    public const string RootNamespace = "IrTrail.Core.Aws";

    private readonly JsonObject _shapes;
    private readonly Dictionary<string, Dictionary<string, string>> _memberNames = new(StringComparer.Ordinal);

    public ServiceModel(ServiceSpec spec, JsonObject model, JsonObject paginators)
    {
        Spec = spec;
        Paginators = paginators;
        var metadata = model["metadata"]!.AsObject();
        Protocol = (string)metadata["protocol"]!;
        var protocols = metadata["protocols"]?.AsArray().Select(p => (string)p!).ToList() ?? [Protocol];
        if (!protocols.Contains("json"))
            throw new NotSupportedException($"{spec.Model}: protocol {string.Join("/", protocols)} is not generated yet: only json (1.0/1.1). " +
                                            "Add a marshaller for it in src/IrTrail.Core/Aws and an emitter here.");
        ServiceId = (string)metadata["serviceId"]!;
        EndpointPrefix = (string)metadata["endpointPrefix"]!;
        SigningName = (string?)metadata["signingName"] ?? EndpointPrefix;
        TargetPrefix = (string)metadata["targetPrefix"]!;
        JsonVersion = (string?)metadata["jsonVersion"] ?? "1.0";
        ApiVersion = (string)metadata["apiVersion"]!;
        FullName = (string)metadata["serviceFullName"]!;
        _shapes = model["shapes"]!.AsObject();
        var operations = model["operations"]!.AsObject();
        foreach (var name in spec.Operations)
        {
            var op = operations[name]?.AsObject() ?? throw new InvalidOperationException($"{spec.Model}: no operation {name} in the trimmed model (run trim).");
            foreach (var unsupported in new[] { "endpoint", "httpChecksum", "requestcompression", "endpointdiscovery" })
                if (op.ContainsKey(unsupported)) throw new NotSupportedException($"{spec.Model} {name}: '{unsupported}' is not supported by the generator yet.");
            Operations.Add(new Operation(name, (string?)op["input"]?["shape"], (string?)op["output"]?["shape"]));
        }
        foreach (var op in Operations)
        {
            if (op.Input is { } i) Reach(i);
            if (op.Output is { } o) Reach(o);
        }
        var inputs = Operations.Where(o => o.Input is not null).Select(o => o.Input!).ToHashSet(StringComparer.Ordinal);
        var outputs = Operations.Where(o => o.Output is not null).Select(o => o.Output!).ToHashSet(StringComparer.Ordinal);
        foreach (var both in inputs.Intersect(outputs)) throw new NotSupportedException($"{spec.Model}: {both} is both an input and an output.");
        Inputs = inputs;
        Outputs = outputs;
        ClientName = spec.Name + "Client";
        if (Reached.Contains(ClientName)) throw new NotSupportedException($"{spec.Model}: a shape is named {ClientName}, like the client.");
    }

    public ServiceSpec Spec { get; }
    public JsonObject Paginators { get; }
    public string Protocol { get; }
    public string ServiceId { get; }
    public string EndpointPrefix { get; }
    public string SigningName { get; }
    public string TargetPrefix { get; }
    public string JsonVersion { get; }
    public string ApiVersion { get; }
    public string FullName { get; }
    public string ClientName { get; }
    public string Namespace => RootNamespace + "." + Spec.Name;
    public List<Operation> Operations { get; } = [];
    public SortedSet<string> Reached { get; } = new(StringComparer.Ordinal);
    public IReadOnlySet<string> Inputs { get; }
    public IReadOnlySet<string> Outputs { get; }

    public JsonObject Shape(string name) => _shapes[name]?.AsObject() ?? throw new InvalidOperationException($"{Spec.Model}: shape {name} is not in the model.");
    public string Type(string name) => (string)Shape(name)["type"]!;

    /// <summary>Kept as JSON text rather than classes: listed in services.json, or a Smithy document.</summary>
    public bool IsRaw(string name) => Spec.RawJsonShapes.Contains(name) || Shape(name)["document"]?.GetValue<bool>() == true;

    public bool IsStructureClass(string name) =>
        Type(name) == "structure" && !IsRaw(name) && Shape(name)["exception"]?.GetValue<bool>() != true;

    public bool IsEnum(string name) => Type(name) == "string" && Shape(name)["enum"] is JsonArray;

    private void Reach(string name)
    {
        if (!Reached.Add(name) || IsRaw(name)) return;
        var shape = Shape(name);
        if (shape["streaming"]?.GetValue<bool>() == true || shape["eventstream"]?.GetValue<bool>() == true)
            throw new NotSupportedException($"{Spec.Model}: shape {name} is a stream; streams are not generated yet.");
        foreach (var part in new[] { "member", "key", "value" })
            if (shape[part]?["shape"] is { } s) Reach((string)s!);
        foreach (var (_, member) in shape["members"]?.AsObject() ?? [])
            Reach((string)member!["shape"]!);
    }

    /// <summary>C# type of a shape: nullable when it is a property (unset = not sent), not when it is an element.</summary>
    public string CSharpType(string name, bool property)
    {
        var q = property ? "?" : "";
        if (IsRaw(name)) return "global::System.Text.Json.Nodes.JsonNode" + q;
        var shape = Shape(name);
        return Type(name) switch
        {
            "string" => "string" + q,
            "integer" => "int" + q,
            "long" => "long" + q,
            "boolean" => "bool" + q,
            "double" => "double" + q,
            "float" => "float" + q,
            "timestamp" => "global::System.DateTime" + q,
            "blob" => "byte[]" + q,
            "list" => $"global::System.Collections.Generic.List<{CSharpType((string)shape["member"]!["shape"]!, false)}>{q}",
            "map" when Type((string)shape["key"]!["shape"]!) == "string" =>
                $"global::System.Collections.Generic.Dictionary<string, {CSharpType((string)shape["value"]!["shape"]!, false)}>{q}",
            "structure" => Names.Identifier(name) + q,
            var t => throw new NotSupportedException($"{Spec.Model}: shape {name} of type {t} is not supported."),
        };
    }

    /// <summary>A timestamp member's wire format when it is not the protocol's default (epoch seconds for json).</summary>
    public string? TimestampConverter(JsonObject member, string shapeName)
    {
        var format = (string?)member["timestampFormat"] ?? (string?)Shape(shapeName)["timestampFormat"];
        return format switch
        {
            null or "unixTimestamp" => null,
            "iso8601" => "AwsIso8601Converter",
            "rfc822" => "AwsRfc822Converter",
            _ => throw new NotSupportedException($"{Spec.Model}: timestampFormat {format} on {shapeName}."),
        };
    }

    /// <summary>Elements of lists and maps are written with the options' default (epoch seconds) converter only.</summary>
    public void CheckElementTimestamps(string shapeName)
    {
        var shape = Shape(shapeName);
        foreach (var part in new[] { "member", "value" })
        {
            if (shape[part] is not JsonObject element) continue;
            var inner = (string)element["shape"]!;
            if (Type(inner) == "timestamp" && TimestampConverter(element, inner) is not null)
                throw new NotSupportedException($"{Spec.Model}: {shapeName} holds timestamps in a non-default format.");
            if (Type(inner) is "list" or "map") CheckElementTimestamps(inner);
        }
    }

    /// <summary>Member name → C# property name for a structure: PascalCase identifiers, unique, never the class's own
    /// name or a member the base classes or object have (CloudTrail's AdvancedFieldSelector.Equals → EqualsValue).</summary>
    public IReadOnlyDictionary<string, string> MemberNames(string structure)
    {
        if (_memberNames.TryGetValue(structure, out var known)) return known;
        var className = Names.Identifier(structure);
        var used = new HashSet<string>(StringComparer.Ordinal)
        {
            className, "ResponseMetadata", "ContentLength", "HttpStatusCode", "FillIdempotencyTokens", // the base classes'
            "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize",              // object's
        };
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (member, _) in Shape(structure)["members"]!.AsObject())
        {
            var name = Names.Identifier(member);
            if (used.Contains(name)) name += "Value";
            for (var n = 2; used.Contains(name); n++) name = Names.Identifier(member) + n;
            used.Add(name);
            result[member] = name;
        }
        _memberNames[structure] = result;
        return result;
    }

    /// <summary>The name a member has on the wire (json: its locationName when the model gives one).</summary>
    public static string WireName(string member, JsonObject definition) => (string?)definition["locationName"] ?? member;
}

internal sealed record Operation(string Name, string? Input, string? Output);
