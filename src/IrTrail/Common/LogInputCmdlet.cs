using System.Management.Automation;
using IrTrail.Core.Sources;

namespace IrTrail.Common;

/// <summary>
/// Base for cmdlets that take CloudTrail logs as input the same way: -Path (wildcards, folders searched for log
/// files), -LiteralPath (PSPath, so Get-ChildItem pipes in), or LogFile objects from Get-IrTrailLogFile (S3 objects are
/// streamed), with the AWS common parameters for the latter.
/// </summary>
public abstract class LogInputCmdlet : AwsCmdlet
{
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";
    protected const string LogFileSet = "LogFile";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>Log files from Get-IrTrailLogFile: S3 objects are streamed (not staged to disk), local ones read as files.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LogFileSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public LogFile[] LogFile { get; set; } = [];

    /// <summary>AWS region used for S3 objects whose bucket region is not known from the LogFile object.</summary>
    [Parameter(ParameterSetName = LogFileSet)]
    [ArgumentCompleter(typeof(AwsRegionCompleter))]
    public string? Region { get; set; }

    protected override string? RequestedRegion => Region;

    protected bool FromLogFiles => ParameterSetName == LogFileSet;

    /// <summary>This record's -Path or -LiteralPath resolved (wildcards expanded), folders not yet searched. A path that
    /// does not resolve is an error record (and <paramref name="onFailure"/>), never a stop.</summary>
    protected IEnumerable<(string FullPath, bool IsFolder)> ResolveLocalPaths(Action<string, string> onFailure)
    {
        var literal = ParameterSetName == LiteralPathSet;
        foreach (var r in PathResolver.Resolve(this, literal ? LiteralPath : Path, literal))
        {
            if (r.Error is not null)
            {
                onFailure(r.Input, r.Error.Message);
                WriteError(new ErrorRecord(r.Error, "PathNotFound", ErrorCategory.ObjectNotFound, r.Input));
                continue;
            }
            yield return (r.FullPath!, r.IsFolder);
        }
    }
}
