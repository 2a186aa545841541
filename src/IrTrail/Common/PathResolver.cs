using System.Management.Automation;

namespace IrTrail.Common;

/// <summary>
/// -Path / -LiteralPath resolution through the PowerShell provider (so relative paths follow $PWD, not the process
/// directory), with folders expanded to the log files below them.
/// </summary>
internal static class PathResolver
{
    public sealed record Resolved(string Input, string? FullPath, bool IsFolder, Exception? Error);

    public static IEnumerable<Resolved> Resolve(PSCmdlet cmdlet, IEnumerable<string> paths, bool literal)
    {
        foreach (var p in paths)
        {
            List<string> found = [];
            Exception? error = null;
            try
            {
                if (literal)
                {
                    var full = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(p);
                    if (File.Exists(full) || Directory.Exists(full)) found.Add(full);
                    else error = new ItemNotFoundException($"Cannot find path '{full}' because it does not exist.");
                }
                else
                {
                    var resolved = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(p, out var provider);
                    if (provider.Name != "FileSystem")
                        error = new NotSupportedException($"'{p}' is on the {provider.Name} provider; IrTrail reads files from the file system.");
                    else found.AddRange(resolved);
                    if (error is null && found.Count == 0 && WildcardPattern.ContainsWildcardCharacters(p))
                        error = new ItemNotFoundException($"No file matches '{p}'.");
                }
            }
            catch (Exception ex) when (ex is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or ArgumentException or NotSupportedException)
            {
                error = ex;
            }
            if (error is not null)
            {
                yield return new Resolved(p, null, false, error);
                continue;
            }
            foreach (var f in found) yield return new Resolved(p, f, Directory.Exists(f), null);
        }
    }
}
