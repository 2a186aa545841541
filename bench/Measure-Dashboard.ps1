<#
.SYNOPSIS
    Times Export-IrTrailDashboard on a dataset, side by side with a plain DuckDB scan of the same columns.
.DESCRIPTION
    Baseline: one Invoke-IrTrailQuery that reads, once, every column the dashboard projects (the floor any dashboard
    over this dataset pays). Measured: Export-IrTrailDashboard (one projected scan into a temporary table, then every
    panel's GROUP BY, then the HTML). Runs alternate baseline/dashboard -Runs times; prints a table with the medians,
    their ratio, the page size, and the slowest aggregate steps of the last dashboard run.
.EXAMPLE
    ./bench/New-BenchCorpus.ps1 -EventCount 1000000 -Path /tmp/corpus-1m
    Convert-IrTrailToParquet /tmp/corpus-1m /tmp/ds-1m -Confirm:$false
    ./bench/Measure-Dashboard.ps1 -DatasetPath /tmp/ds-1m -Runs 3
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $DatasetPath,
    [ValidateRange(1, 20)] [int] $Runs = 3,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/IrTrail'),
    [string] $OutFile = (Join-Path ([IO.Path]::GetTempPath()) 'irtrail-bench-dashboard.html')
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$root = (Resolve-Path $DatasetPath).ProviderPath
$glob = (Join-Path $root '**/*.parquet').Replace("'", "''")
$scan = @"
SELECT count(*) AS events,
  max(length(eventSource)) + max(length(eventName)) + max(length(awsRegion)) + max(length(sourceIPAddress)) + max(length(errorCode))
  + max(length(errorMessage)) + max(length(eventType)) + max(length(recipientAccountId)) + max(length(userIdentity.arn))
  + max(length(userIdentity.type)) + max(length(userIdentity.principalId)) + max(length(userIdentity.sessionContext.sessionIssuer.arn))
  + max(length(requestParameters)) + max(length(responseElements)) + max(length(additionalEventData)) + count(readOnly)
  + max(epoch(eventTime)) AS touched
FROM read_parquet('$glob', hive_partitioning = true, hive_types_autocast = false, union_by_name = true)
"@
$base = [System.Collections.Generic.List[double]]::new()
$dash = [System.Collections.Generic.List[double]]::new()
$events = 0; $steps = @()
for ($i = 1; $i -le $Runs; $i++) {
    $t = [System.Diagnostics.Stopwatch]::StartNew()
    $events = (Invoke-IrTrailQuery $scan).events
    $base.Add($t.Elapsed.TotalSeconds)
    $t = [System.Diagnostics.Stopwatch]::StartNew()
    $verbose = Export-IrTrailDashboard -Path $root -Destination $OutFile -Force -Confirm:$false -Verbose 4>&1
    $dash.Add($t.Elapsed.TotalSeconds)
    $steps = $verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match '^\w+: [\d,]+ ms$' } |
        ForEach-Object { $n, $ms = $_.Message -split ': '; [pscustomobject]@{ Step = $n; Ms = [int]($ms -replace '[^\d]') } }
}
function Median($xs) { $s = @($xs | Sort-Object); $s[[int][math]::Floor(($s.Count - 1) / 2)] }
$mb = (Get-Item $OutFile).Length / 1MB
$dataMb = (Get-ChildItem $root -Recurse -Filter *.parquet | Measure-Object Length -Sum).Sum / 1MB
[pscustomobject]@{
    Events          = $events
    ParquetMB       = [math]::Round($dataMb, 1)
    Runs            = $Runs
    'ScanMedian(s)' = [math]::Round((Median $base), 2)
    'DashMedian(s)' = [math]::Round((Median $dash), 2)
    'Dash/Scan'     = [math]::Round((Median $dash) / (Median $base), 2)
    'HtmlMB'        = [math]::Round($mb, 2)
} | Format-Table -AutoSize | Out-String -Width 200 | Write-Output
'Slowest steps of the last dashboard run:'
$steps | Sort-Object Ms -Descending | Select-Object -First 6 | Format-Table -AutoSize | Out-String | Write-Output
