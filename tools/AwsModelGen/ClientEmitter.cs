using System.Text;
using System.Text.Json.Nodes;

namespace AwsModelGen;

/// <summary>The client class: the service's protocol facts, one async method per operation, paging helpers.</summary>
internal sealed class ClientEmitter(ServiceModel s)
{
    private const string Ct = "global::System.Threading.CancellationToken cancellationToken = default";
    private readonly StringBuilder _out = new();

    public string Emit()
    {
        _out.Append(Generator.Header(s));
        _out.Append($$"""
            using IrTrail.Core.Aws.Json;

            namespace {{s.Namespace}};

            /// <summary>{{s.FullName}} ({{s.EndpointPrefix}} {{s.ApiVersion}}, AWS JSON {{s.JsonVersion}}): the operations IrTrail uses.</summary>
            internal sealed partial class {{s.ClientName}} : AwsJsonClient
            {
                public static readonly AwsJsonService Definition = new({{Q(s.ServiceId)}}, {{Q(s.EndpointPrefix)}}, {{Q(s.SigningName)}}, {{Q(s.TargetPrefix)}}, {{Q(s.JsonVersion)}}, {{Q(s.ApiVersion)}});

                /// <summary>A client with the session's credentials, its region (or <paramref name="region"/>) and its -EndpointUrl.</summary>
                public {{s.ClientName}}(AwsSession session, string? region = null)
                    : this(session.Credentials, AwsJsonClientConfig.For(Definition, session, region))
                {
                }

                public {{s.ClientName}}(global::Amazon.Runtime.AWSCredentials credentials, AwsJsonClientConfig config) : base(credentials, config)
                {
                }

            """);
        foreach (var op in s.Operations) Operation(op);
        _out.Append("}\n");
        return _out.ToString().ReplaceLineEndings("\n");
    }

    private void Operation(Operation op)
    {
        var response = op.Output is null ? "AwsEmptyResponse" : Names.Identifier(op.Output);
        var parameters = op.Input is null ? Ct : $"{Names.Identifier(op.Input)} request, {Ct}";
        var request = op.Input is null ? "new AwsEmptyRequest()" : "request";
        _out.Append($$"""

                /// <summary>{{op.Name}} ({{s.TargetPrefix}}.{{op.Name}}).</summary>
                public global::System.Threading.Tasks.Task<{{response}}> {{op.Name}}Async({{parameters}}) =>
                    SendAsync<{{response}}>({{request}}, {{Q(op.Name)}}, cancellationToken);

            """);
        if (s.Paginators[op.Name] is JsonObject paging && op.Input is { } input && op.Output is { } output) Paging(op, paging, input, output, response);
    }

    private void Paging(Operation op, JsonObject paging, string input, string output, string response)
    {
        if (paging["input_token"] is not JsonValue || paging["output_token"] is not JsonValue) return; // multi-token paging: by hand
        var inputToken = s.MemberNames(input)[(string)paging["input_token"]!];
        var (nextToken, _) = Path(output, (string)paging["output_token"]!);
        var resultKey = paging["result_key"] is JsonArray keys ? (string)keys[0]! : (string)paging["result_key"]!;
        var (items, itemsShape) = Path(output, resultKey);
        var itemType = s.CSharpType((string)s.Shape(itemsShape)["member"]!["shape"]!, property: false);
        var requestType = Names.Identifier(input);
        _out.Append($$"""

                /// <summary>Every page of {{op.Name}}, following {{paging["output_token"]}} (the request's token is updated).</summary>
                public global::System.Collections.Generic.IAsyncEnumerable<{{response}}> {{op.Name}}PagesAsync({{requestType}} request, {{Ct}}) =>
                    AwsPaging.PagesAsync<{{requestType}}, {{response}}>({{op.Name}}Async, request, static r => r.{{nextToken}}, static (r, t) => r.{{inputToken}} = t, cancellationToken);

                /// <summary>The {{resultKey}} of every page of {{op.Name}}.</summary>
                public global::System.Collections.Generic.IAsyncEnumerable<{{itemType}}> {{op.Name}}ItemsAsync({{requestType}} request, {{Ct}}) =>
                    AwsPaging.ItemsAsync({{op.Name}}PagesAsync(request, cancellationToken), static r => r.{{items}});

            """);
    }

    /// <summary>A paginator's dotted member path as a null-safe C# member access, and the shape it ends at.</summary>
    private (string Access, string Shape) Path(string structure, string path)
    {
        var parts = new List<string>();
        var shape = structure;
        foreach (var member in path.Split('.'))
        {
            var definition = s.Shape(shape)["members"]![member] ?? throw new InvalidOperationException($"{s.Spec.Model}: paginator path {path} has no member {member}.");
            parts.Add(s.MemberNames(shape)[member]);
            shape = (string)definition["shape"]!;
        }
        return (string.Join("?.", parts), shape);
    }

    private static string Q(string value) => Names.Literal(value);
}
