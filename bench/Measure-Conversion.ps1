<#
.SYNOPSIS
    Convert-IrTrailToParquet vs DuckDB's native import, side by side, alternating, each run in a fresh pwsh process.
.DESCRIPTION
    For every corpus folder (.json.gz delivery files, e.g. from bench/New-BenchCorpus.ps1) runs, -Repeat times and
    alternating which goes first:
      IrTrail  Convert-IrTrailToParquet -Path <corpus> -Destination <tmp> -ThrottleLimit <n>
      DuckDB   Invoke-IrTrailQuery "COPY (SELECT unnest(Records, recursive := false) ... FROM read_json(<corpus>, columns =
               {Records: <explicit CloudTrail schema>})) TO <tmp>/out.parquet (FORMAT parquet, COMPRESSION zstd)"
               (the same DuckDB.NET library, in the same module), threads = <n>
    Each run is its own pwsh process, so "peak MB" is the peak working set of the whole pwsh process for that run.
    Prints one row per run and a summary row per corpus with the ratios (IrTrail / DuckDB) of the medians.
.EXAMPLE
    ./bench/Measure-Conversion.ps1 -Corpus /tmp/irtrail-corpus-1m, /tmp/irtrail-corpus-2m -Repeat 2
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string[]] $Corpus,
    [int] $Repeat = 2,
    [int] $ThrottleLimit = [Environment]::ProcessorCount,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/IrTrail'),
    [string] $WorkPath = (Join-Path ([IO.Path]::GetTempPath()) 'irtrail-bench'),
    # A run still going after this long is stopped and reported as timed out (its CPU time so far is kept).
    [int] $TimeoutMinutes = 30,
    # Which tools to run: both by default; one alone to measure IrTrail where DuckDB is already known not to finish.
    [ValidateSet('IrTrail', 'DuckDB')] [string[]] $Tool = @('IrTrail', 'DuckDB')
)
$ErrorActionPreference = 'Stop'
$pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
$module = (Resolve-Path $ModulePath).Path

# DuckDB's baseline schema: every field CloudTrail documents, as IrTrail's dataset types them (top-level fields typed,
# userIdentity a struct with all of its documented members, blobs as JSON). Before 2026-11-30 (fifth session) it left
# out userIdentity's identityProvider, credentialId and onBehalfOf and sessionContext's webIdFederationData,
# sourceIdentity, ec2RoleDelivery and assumedRoot, so DuckDB's import silently dropped them where the data has them.
$schema = "STRUCT(eventVersion VARCHAR, userIdentity STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, " +
    "accessKeyId VARCHAR, userName VARCHAR, invokedBy VARCHAR, identityProvider VARCHAR, credentialId VARCHAR, onBehalfOf JSON, " +
    "sessionContext STRUCT(attributes STRUCT(creationDate VARCHAR, mfaAuthenticated VARCHAR), " +
    "sessionIssuer STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, userName VARCHAR), " +
    "webIdFederationData JSON, sourceIdentity VARCHAR, ec2RoleDelivery VARCHAR, assumedRoot VARCHAR)), " +
    "eventTime TIMESTAMP, eventSource VARCHAR, eventName VARCHAR, awsRegion VARCHAR, sourceIPAddress VARCHAR, userAgent VARCHAR, " +
    "errorCode VARCHAR, errorMessage VARCHAR, requestParameters JSON, responseElements JSON, additionalEventData JSON, requestID VARCHAR, " +
    "eventID VARCHAR, readOnly BOOLEAN, resources JSON, eventType VARCHAR, apiVersion VARCHAR, managementEvent BOOLEAN, " +
    "recipientAccountId VARCHAR, serviceEventDetails JSON, sharedEventID VARCHAR, vpcEndpointId VARCHAR, vpcEndpointAccountId VARCHAR, " +
    "eventCategory VARCHAR, addendum JSON, sessionCredentialFromConsole BOOLEAN, edgeDeviceDetails JSON, tlsDetails JSON, insightDetails JSON)[]"

function Invoke-Run([string] $Tool, [string] $Source, [string] $Out) {
    if (Test-Path $Out) { Remove-Item $Out -Recurse -Force }
    New-Item -ItemType Directory -Path $Out | Out-Null
    $glob = (Join-Path $Source '**/*.json.gz').Replace("'", "''")
    $target = (Join-Path $Out 'out.parquet').Replace("'", "''")
    $work = if ($Tool -eq 'IrTrail') {
        "`$r = Convert-IrTrailToParquet -Path '$Source' -Destination '$Out/ds' -ThrottleLimit $ThrottleLimit; `$events = `$r.EventsWritten"
    } else {
        "`$null = Invoke-IrTrailQuery `"SET threads = $ThrottleLimit`"; " +
        "`$null = Invoke-IrTrailQuery `"COPY (SELECT unnest(r) FROM (SELECT unnest(Records) AS r FROM read_json('$glob', format = 'auto', columns = {Records: '$schema'}, maximum_object_size = 268435456))) TO '$target' (FORMAT parquet, COMPRESSION zstd)`"; " +
        "`$events = (Invoke-IrTrailQuery `"SELECT count(*) AS n FROM read_parquet('$target')`").n"
    }
    $script = "`$ErrorActionPreference = 'Stop'; Import-Module '$module'; `$sw = [Diagnostics.Stopwatch]::StartNew(); $work; `$s = `$sw.Elapsed.TotalSeconds; " +
        "`$p = Get-Process -Id `$PID; [pscustomobject]@{ seconds = `$s; events = `$events; peak = `$p.PeakWorkingSet64; cpu = `$p.TotalProcessorTime.TotalSeconds } | ConvertTo-Json -Compress"
    $psi = [Diagnostics.ProcessStartInfo]::new($pwsh)
    foreach ($a in '-NoProfile', '-NonInteractive', '-Command', $script) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $proc = [Diagnostics.Process]::Start($psi)
    $stdout = $proc.StandardOutput.ReadToEndAsync()
    if (-not $proc.WaitForExit($TimeoutMinutes * 60000)) {
        $cpu = $proc.TotalProcessorTime.TotalSeconds
        $proc.Kill($true); $proc.WaitForExit()
        return [pscustomobject]@{ seconds = $TimeoutMinutes * 60.0; events = 0; peak = 0; cpu = $cpu; outBytes = 0; timedOut = $true }
    }
    $json = $stdout.Result
    if ($proc.ExitCode -ne 0) { throw "$Tool run failed: $json" }
    $m = ($json.Trim() -split "`\r?`\n" | Select-Object -Last 1) | ConvertFrom-Json
    $m | Add-Member outBytes ((Get-ChildItem $Out -Recurse -File -Filter *.parquet | Measure-Object Length -Sum).Sum)
    $m | Add-Member timedOut $false
    $m
}

$rows = foreach ($c in $Corpus) {
    $src = (Resolve-Path $c).Path
    $files = Get-ChildItem $src -Recurse -File -Filter *.json.gz
    $gzBytes = ($files | Measure-Object Length -Sum).Sum
    # Uncompressed JSON size, for MB/s: read once here (not timed).
    $jsonBytes = 0L
    foreach ($f in $files) {
        $fs = [IO.File]::OpenRead($f.FullName); $gz = [IO.Compression.GZipStream]::new($fs, [IO.Compression.CompressionMode]::Decompress)
        $buf = [byte[]]::new(1MB); while (($n = $gz.Read($buf, 0, $buf.Length)) -gt 0) { $jsonBytes += $n }; $gz.Dispose()
    }
    for ($i = 0; $i -lt $Repeat; $i++) {
        $order = if ($i % 2 -eq 0) { 'IrTrail', 'DuckDB' } else { 'DuckDB', 'IrTrail' }
        # (Not $tool: PowerShell's variables ignore case, and that one is the -Tool parameter.)
        foreach ($which in ($order | Where-Object { $_ -in $Tool })) {
            $m = Invoke-Run $which $src (Join-Path $WorkPath $which)
            $done = -not $m.timedOut
            [pscustomobject]@{
                Corpus = Split-Path $src -Leaf; Tool = $which; Run = $i + 1; Events = [long]$m.events
                Seconds = [math]::Round($m.seconds, 1)
                EventsPerSec = $done ? [math]::Round($m.events / $m.seconds) : $null
                JsonMBPerSec = $done ? [math]::Round($jsonBytes / 1MB / $m.seconds, 1) : $null
                CpuSeconds = [math]::Round($m.cpu, 1)
                PeakMB = $done ? [math]::Round($m.peak / 1MB) : $null
                OutMB = $done ? [math]::Round($m.outBytes / 1MB, 1) : $null
                GzipMB = [math]::Round($gzBytes / 1MB, 1); JsonMB = [math]::Round($jsonBytes / 1MB, 1)
                Note = $done ? '' : "timed out after $TimeoutMinutes min"
            }
        }
    }
}
Remove-Item $WorkPath -Recurse -Force -ErrorAction SilentlyContinue
$rows | Format-Table -Property * -AutoSize | Out-String -Width 300 | Out-Host
$summary = foreach ($g in ($rows | Group-Object Corpus)) {
    $med = { param($xs) $s = @($xs | Sort-Object); if ($s.Count) { $s[[int][math]::Floor(($s.Count - 1) / 2)] } }
    # Timed-out runs have no rate: the ratio comes from completed runs, or is a bound when one side never finished.
    $ir = @($g.Group | Where-Object { $_.Tool -eq 'IrTrail' -and -not $_.Note }); $dd = @($g.Group | Where-Object { $_.Tool -eq 'DuckDB' -and -not $_.Note })
    $irEps = $ir ? (& $med $ir.EventsPerSec) : $null; $ddEps = $dd ? (& $med $dd.EventsPerSec) : $null
    $ran = @($g.Group.Tool | Sort-Object -Unique)
    $bound = if ($ran.Count -lt 2) { "$($ran -join '') alone" }
             elseif ($ir -and -not $dd) { "DuckDB timed out: ratio over $([math]::Floor($TimeoutMinutes * 60 / (& $med $ir.Seconds)))" }
             elseif ($dd -and -not $ir) { "IrTrail timed out: ratio under $([math]::Round((& $med $dd.Seconds) / ($TimeoutMinutes * 60), 3))" }
    [pscustomobject]@{
        Corpus = $g.Name; Events = ($ir + $dd)[0].Events; IrTrailEventsPerSec = $irEps; DuckDBEventsPerSec = $ddEps
        ThroughputRatio = ($irEps -and $ddEps) ? [math]::Round($irEps / $ddEps, 2) : $null
        IrTrailJsonMBPerSec = & $med $ir.JsonMBPerSec; DuckDBJsonMBPerSec = & $med $dd.JsonMBPerSec
        IrTrailPeakMB = ($ir.PeakMB | Measure-Object -Maximum).Maximum; DuckDBPeakMB = ($dd.PeakMB | Measure-Object -Maximum).Maximum
        IrTrailOutMB = $ir ? $ir[0].OutMB : $null; DuckDBOutMB = $dd ? $dd[0].OutMB : $null; Note = $bound
    }
}
$summary | Format-Table -Property * -AutoSize | Out-String -Width 300 | Out-Host
$rows
