using System.Text;

namespace IrTrail;

/// <summary>
/// The base of every row Invoke-IrTrailQuery writes. Each query's rows are instances of a class made for that query's
/// columns at run time (see <see cref="Query.QueryRowTypes"/>), named <c>IrTrail.QueryRow.&lt;query&gt;</c> for a
/// library query, so PowerShell sees one property per column and the type names
/// <c>IrTrail.QueryRow.&lt;query&gt;</c>, <c>IrTrail.QueryRow</c> for views.
/// </summary>
public abstract class QueryRow
{
    /// <summary>Like a custom object: <c>@{column=value; …}</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("@{");
        var first = true;
        foreach (var p in GetType().GetProperties())
        {
            if (!first) sb.Append("; ");
            first = false;
            sb.Append(p.Name).Append('=').Append(p.GetValue(this));
        }
        return sb.Append('}').ToString();
    }
}
