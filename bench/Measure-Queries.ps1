<#
.SYNOPSIS
    The talk's three queries over raw .json.gz vs the Parquet dataset through Invoke-IrTrailQuery, rows-as-objects vs
    Import-Csv, and Import-Module plus a first query; prints tables (alternating runs, medians, ratios).
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-Queries.ps1 -EventCount 1000000 -WorkDir /tmp/irtrail-bench
#>
[CmdletBinding()]
param(
    [long] $EventCount = 1000000,
    [string] $WorkDir = (Join-Path ([IO.Path]::GetTempPath()) 'irtrail-bench-queries'),
    [int] $Runs = 3,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/IrTrail/IrTrail.psd1')
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$logs = Join-Path $WorkDir "logs-$EventCount"
$ds = Join-Path $WorkDir "dataset-$EventCount"
if (-not (Test-Path $logs)) { & (Join-Path $PSScriptRoot 'New-BenchCorpus.ps1') -EventCount $EventCount -Path $logs | Out-Null }
if (-not (Test-Path (Join-Path $ds '_irtrail'))) { Convert-IrTrailToParquet -Path $logs -Destination $ds -Force -Confirm:$false | Out-Null }

function Median([double[]] $xs) { $s = $xs | Sort-Object; if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }

# 1. The talk's queries, each through Invoke-IrTrailQuery in this pwsh, raw logs vs dataset, alternating.
$talk = foreach ($name in 'talk-api-errors', 'talk-malicious-ip', 'talk-ec2-role-list-buckets') {
    $t = @{ Json = @(); Parquet = @() }; $bytes = @{}; $rows = @{}
    for ($i = 0; $i -lt $Runs; $i++) {
        $order = if ($i % 2) { 'Parquet', 'Json' } else { 'Json', 'Parquet' }
        foreach ($side in $order) {
            $path = if ($side -eq 'Json') { $logs } else { $ds }
            # Timed as a user runs it; -Statistics (profiling, plus a metadata read of every file for the totals) is not.
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $out = @(Invoke-IrTrailQuery -Path $path -Name $name)
            $sw.Stop()
            $t[$side] += $sw.Elapsed.TotalSeconds
            $rows[$side] = $out.Count
        }
    }
    # Data scanned: one more, untimed run per side with -Statistics (the cold run's bytes, see Measure-IrTrailQuery).
    foreach ($side in 'Json', 'Parquet') {
        $path = if ($side -eq 'Json') { $logs } else { $ds }
        $stats = Invoke-IrTrailQuery -Path $path -Name $name -Statistics | Where-Object { $_.PSObject.TypeNames[0] -eq 'IrTrail.Core.Query.QueryStatistics' }
        $bytes[$side] = $stats.BytesRead
    }
    $j = Median $t.Json; $p = Median $t.Parquet
    [pscustomobject]@{
        Query = $name; JsonSeconds = [math]::Round($j, 3); ParquetSeconds = [math]::Round($p, 3); Speedup = [math]::Round($j / $p, 1)
        JsonMB = [math]::Round($bytes.Json / 1MB, 1); ParquetMB = [math]::Round($bytes.Parquet / 1MB, 2)
        BytesPercent = [math]::Round(100 * $bytes.Parquet / $bytes.Json, 2); JsonRows = $rows.Json; ParquetRows = $rows.Parquet
    }
}
"Events: $EventCount; runs per side: $Runs (median); raw logs $([math]::Round((Get-ChildItem $logs -Recurse -File | Measure-Object Length -Sum).Sum / 1MB, 1)) MB"
$talk | Format-Table -AutoSize | Out-String -Width 200

# 2. Rows as objects: Invoke-IrTrailQuery vs Import-Csv of the same rows, alternating.
$sql = 'SELECT eventTime, eventSource, eventName, awsRegion, sourceIPAddress, userAgent, errorCode, eventID FROM cloudtrail LIMIT 200000'
$csv = Join-Path $WorkDir "rows-$EventCount.csv"
Invoke-IrTrailQuery -Path $ds -Sql "COPY ($sql) TO '$($csv.Replace("'", "''"))' (HEADER, DELIMITER ',')" | Out-Null
$r = @{ Query = @(); Csv = @() }; $n = @{}
for ($i = 0; $i -lt $Runs; $i++) {
    foreach ($side in $(if ($i % 2) { 'Csv', 'Query' } else { 'Query', 'Csv' })) {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $count = if ($side -eq 'Query') { (Invoke-IrTrailQuery -Path $ds -Sql $sql | Measure-Object).Count } else { (Import-Csv $csv | Measure-Object).Count }
        $sw.Stop(); $r[$side] += $sw.Elapsed.TotalSeconds; $n[$side] = $count
    }
}
$q = Median $r.Query; $c = Median $r.Csv
[pscustomobject]@{ Rows = $n.Query; InvokeIrTrailQueryRowsPerSec = [math]::Round($n.Query / $q); ImportCsvRowsPerSec = [math]::Round($n.Csv / $c); Ratio = [math]::Round($c / $q, 2) } |
    Format-Table -AutoSize | Out-String -Width 200

# 3. Import-Module plus a first query over the dataset, in a fresh pwsh (process start not counted).
$pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
$cold = foreach ($i in 1..$Runs) {
    [double](& $pwsh -NoProfile -Command "`$sw = [Diagnostics.Stopwatch]::StartNew(); Import-Module '$ModulePath'; Invoke-IrTrailQuery -Path '$ds' -Name talk-api-errors | Out-Null; `$sw.Elapsed.TotalSeconds")
}
[pscustomobject]@{ ImportPlusFirstQuerySeconds = [math]::Round((Median $cold), 3); Runs = $Runs } | Format-Table -AutoSize | Out-String -Width 200
