<#
.SYNOPSIS
    Reading CloudTrail logs from S3 in place (s3rver on loopback) versus the same files on disk, side by side.
.DESCRIPTION
    Uploads one region-day folder of the SANS lab logs (../shared) into s3rver, then alternates: Get-IrTrailEvent over
    the local folder, and Get-IrTrailLogFile | Get-IrTrailEvent over S3. Prints a table and the S3/disk ratio.
    Loopback S3 measures IrTrail's own overhead (listing, SDK, streaming), not network latency to AWS.
.EXAMPLE
    dotnet pwsh -NoProfile ./bench/S3Read.ps1 -ModulePath ./out/IrTrail -Day us-west-1/2021/07/30 -Rounds 3
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/IrTrail'),
    [string] $Sans = (Join-Path $PSScriptRoot '../../shared/data/cloudtrail-real/sans504-s3-ransomware-lab'),
    [string] $Day = 'us-west-1/2021/07/30',
    [int] $Rounds = 3
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$s3Dir = (Resolve-Path (Join-Path $PSScriptRoot '../tests/s3')).Path
if (-not (Test-Path (Join-Path $s3Dir 'node_modules/s3rver'))) { Push-Location $s3Dir; npm ci --no-audit --no-fund | Out-Null; Pop-Location }
$l = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0); $l.Start(); $port = $l.LocalEndpoint.Port; $l.Stop()
$data = Join-Path ([IO.Path]::GetTempPath()) "irtrail-bench-s3-$([guid]::NewGuid().ToString('N'))"
$null = New-Item -ItemType Directory $data
$psi = [System.Diagnostics.ProcessStartInfo]::new('node')
foreach ($a in (Join-Path $s3Dir 'node_modules/s3rver/bin/s3rver.js'), '-d', $data, '-a', '127.0.0.1', '-p', "$port", '--silent', '--configure-bucket', 'bench') { $psi.ArgumentList.Add($a) }
$psi.Environment['NODE_OPTIONS'] = '--openssl-legacy-provider'
$psi.UseShellExecute = $false; $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
$server = [System.Diagnostics.Process]::Start($psi)
try {
    $endpoint = "http://127.0.0.1:$port"
    for ($i = 0; $i -lt 100; $i++) { try { ([System.Net.Sockets.TcpClient]::new('127.0.0.1', $port)).Dispose(); break } catch { Start-Sleep -Milliseconds 100 } }
    $folder = Join-Path $Sans $Day
    $files = Get-ChildItem $folder -File
    foreach ($f in $files) {
        $null = Invoke-WebRequest -Method Put -Uri "$endpoint/bench/AWSLogs/342082656213/CloudTrail/$Day/$($f.Name)" -InFile $f.FullName
    }
    $aws = @{ EndpointUrl = $endpoint; Credential = [pscredential]::new('S3RVER', (ConvertTo-SecureString 'S3RVER' -AsPlainText -Force)) }
    $region, $y, $m, $d = $Day.Split('/')
    $date = [datetime]"$y-$m-$d"
    # Round 0 warms up JIT and the file cache and is not reported.
    $rows = foreach ($round in 0..$Rounds) {
        foreach ($kind in 'disk', 's3') {
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $n = if ($kind -eq 'disk') { (Get-IrTrailEvent -Path $folder | Measure-Object).Count }
                 else { (Get-IrTrailLogFile s3://bench/ @aws -Region $region -StartTime $date -EndTime $date | Get-IrTrailEvent @aws | Measure-Object).Count }
            $sw.Stop()
            [pscustomobject]@{ Round = $round; Source = $kind; Files = $files.Count; Events = $n; Seconds = [math]::Round($sw.Elapsed.TotalSeconds, 2); EventsPerSecond = [math]::Round($n / $sw.Elapsed.TotalSeconds) }
        }
    }
    $rows = $rows | Where-Object Round -gt 0
    $rows | Format-Table -AutoSize | Out-String | Write-Output
    $disk = ($rows | Where-Object Source -eq disk | Measure-Object Seconds -Sum).Sum
    $s3 = ($rows | Where-Object Source -eq s3 | Measure-Object Seconds -Sum).Sum
    "S3 (loopback) / disk time ratio over $Rounds alternating rounds: {0:N2}" -f ($s3 / $disk)
}
finally {
    if (-not $server.HasExited) { $server.Kill($true); $server.WaitForExit(5000) | Out-Null }
    Remove-Item $data -Recurse -Force -ErrorAction SilentlyContinue
}
