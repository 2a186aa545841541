using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using IrTrail.Core.Aws;

namespace IrTrail.Common;

/// <summary>Profile names from the credential and config files (honours -ProfileLocation when already typed). Offline.</summary>
public sealed class AwsProfileNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var location = fakeBoundParameters["ProfileLocation"] as string;
        var word = wordToComplete.Trim('\'', '"');
        foreach (var name in AwsSessionResolver.ListProfileNames(location))
            if (name.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                yield return new CompletionResult(Quote(name), name, CompletionResultType.ParameterValue, name);
    }

    internal static string Quote(string s) => s.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '$' or '`') ? "'" + s.Replace("'", "''") + "'" : s;
}

/// <summary>AWS region names from the SDK's bundled endpoint data. Offline and instant.</summary>
public sealed class AwsRegionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = wordToComplete.Trim('\'', '"');
        foreach (var name in AwsSessionResolver.ListRegionNames())
            if (name.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                yield return new CompletionResult(name, name, CompletionResultType.ParameterValue, name);
    }
}
