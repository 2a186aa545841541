using IrTrail.Core.Query;

namespace IrTrail.Core.Report;

/// <summary>The dashboard's engine over a local Parquet dataset: the same <c>cloudtrail</c> view and window Invoke-IrTrailQuery uses.</summary>
internal static class LocalDashboard
{
    public static IQueryEngine Open(string datasetRoot, DateTime? start, DateTime? end, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(datasetRoot);
        if (!Directory.Exists(root))
            throw new DashboardException($"The dataset folder '{root}' does not exist.", root);
        if (!Directory.EnumerateFiles(root, "*.parquet", SearchOption.AllDirectories).Any())
            throw new DashboardException($"The folder '{root}' holds no Parquet files: convert logs into it first with Convert-IrTrailToParquet.", root);
        try
        {
            var view = CloudTrailView.Open([root], cancellationToken);
            view.StartTime = start;
            view.EndTime = end;
            return new LocalQueryEngine(view);
        }
        catch (QueryException ex)
        {
            throw new DashboardException(ex.Message, root, ex);
        }
    }
}
