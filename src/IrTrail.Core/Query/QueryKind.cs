namespace IrTrail;

/// <summary>What a library query is for. Get-IrTrailQuery filters on it; the dashboard and the findings find theirs by it.</summary>
public enum QueryKind
{
    /// <summary>Rows are suspicious by themselves: every hit deserves a look (the dashboard's findings run these).</summary>
    Detection,
    /// <summary>A pivot or a question a responder asks about something already suspected (often with a parameter).</summary>
    Hunting,
    /// <summary>What is there: counts and lists that describe the data rather than accuse it.</summary>
    Inventory,
    /// <summary>Events in time order for a principal, key, address or resource.</summary>
    Timeline,
    /// <summary>An aggregate of Export-IrTrailDashboard, over the dashboard's projected events (<c>ev</c>).</summary>
    Dashboard,
}
