# The module beside other versions of its dependencies, re-imported, and in several runspaces: only a real pwsh shows these.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $ModulePath = $env:IRTRAIL_MODULE_PATH
    $Fixtures = Join-Path $env:IRTRAIL_REPO_ROOT 'tests/fixtures/logs'
    # One smoke call per exported cmdlet: a cmdlet missing here fails the "every cmdlet" test below.
    $script:Smoke = @{
        'Get-IrTrailEvent'    = "if ((Get-IrTrailEvent -Path '$Fixtures' | Measure-Object).Count -ne 12) { throw 'Get-IrTrailEvent' }"
        'Invoke-IrTrailQuery' = "if ((Invoke-IrTrailQuery 'SELECT 41 + 1 AS a').a -ne 42) { throw 'Invoke-IrTrailQuery' }"
        # Reaches AWSSDK.Core and AWSSDK.S3 for real (a refused loopback port): a load conflict would surface here.
        'Get-IrTrailLogFile'  = @'
$cred = [pscredential]::new('AKIAEXAMPLE', (ConvertTo-SecureString 'secret' -AsPlainText -Force))
try { Get-IrTrailLogFile -S3Uri s3://no-bucket/ -EndpointUrl http://127.0.0.1:9 -Credential $cred -Region us-east-1 -ErrorAction Stop | Out-Null; throw 'no error' }
catch { if ("$_" -match 'Could not load|no error' -or $_.Exception -is [System.IO.FileLoadException]) { throw } }
'@
        'Save-IrTrailLog'     = @"
`$case = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('n'))
`$src = Join-Path `$case 'src/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01'
New-Item -ItemType Directory `$src -Force | Out-Null
Copy-Item '$Fixtures/111122223333_CloudTrail_us-east-1_20240301T1000Z_fixture01.json.gz' `$src
`$r = Get-IrTrailLogFile -Path (Join-Path `$case 'src') | Save-IrTrailLog -Destination (Join-Path `$case 'dst') -Force -Confirm:`$false
if (-not (Get-ChildItem (Join-Path `$case 'dst') -Recurse -Filter *fixture01.json.gz)) { throw 'Save-IrTrailLog' }
"@
        'Export-IrTrailDashboard' = "`$d = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid()); Convert-IrTrailToParquet -Path '$Fixtures' -Destination `$d -Confirm:`$false | Out-Null; if (-not (Export-IrTrailDashboard `$d (Join-Path `$d 'd.html') -Confirm:`$false).Exists) { throw 'Export-IrTrailDashboard' }; Remove-Item `$d -Recurse -Force"
        'Get-IrTrailQuery' = "`$n = (Get-ChildItem (Join-Path (Split-Path (Get-Module IrTrail).Path) 'queries') -Filter *.json | ForEach-Object { (Get-Content `$_ -Raw | ConvertFrom-Json).queries.Count } | Measure-Object -Sum).Sum; if (`$n -lt 80 -or @(Get-IrTrailQuery).Count -ne `$n -or -not (Get-IrTrailQuery -Name talk-api-errors)) { throw 'Get-IrTrailQuery' }"
        'Measure-IrTrailQuery' = "`$d = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid()); Convert-IrTrailToParquet -Path '$Fixtures' -Destination `$d -Confirm:`$false | Out-Null; if (-not (Measure-IrTrailQuery -LogPath '$Fixtures' -DatasetPath `$d -Name talk-api-errors)) { throw 'Measure-IrTrailQuery' }; Remove-Item `$d -Recurse -Force"
        'New-IrTrailSampleData' = "`$d = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid()); if ((New-IrTrailSampleData -Path `$d -EventCount 2000 -Seed 1 -Confirm:`$false).Events -lt 1) { throw 'New-IrTrailSampleData' }; Remove-Item `$d -Recurse -Force"
        # Offline digest validation (RSA, gzip, System.IO.Hashing from Dependencies/), then the S3 path against a refused port.
        'Test-IrTrailLogIntegrity' = @"
`$d = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('n'))
`$s = New-IrTrailSampleData -Path `$d -EventCount 100 -Duration 01:00:00 -Account 111122223333 -Region us-east-1 -Seed 2 -IncludeDigest -Confirm:`$false
`$r = `$s | Test-IrTrailLogIntegrity
if (-not `$r -or @(`$r | Where-Object Status -ne 'Valid').Count) { throw 'Test-IrTrailLogIntegrity' }
`$cred = [pscredential]::new('AKIAEXAMPLE', (ConvertTo-SecureString 'secret' -AsPlainText -Force))
try { Test-IrTrailLogIntegrity -S3Uri s3://no-bucket/ -EndpointUrl http://127.0.0.1:9 -Credential `$cred -PublicKeyPath `$s.PublicKeyPath -ErrorAction Stop | Out-Null; throw 'no error' }
catch { if ("`$_" -match 'Could not load|no error' -or `$_.Exception -is [System.IO.FileLoadException] -or `$_.Exception -is [MissingMethodException]) { throw } }
Remove-Item `$d -Recurse -Force
"@
        # Reaches Parquet.Net and DuckDB (eventTime filter through the row-group statistics).
        'Convert-IrTrailToParquet' = @"
`$ds = Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid().ToString('n'))
`$r = Convert-IrTrailToParquet -Path '$Fixtures' -Destination `$ds -Confirm:`$false
if (`$r.EventsWritten -lt 1) { throw 'Convert-IrTrailToParquet' }
`$n = (Invoke-IrTrailQuery "SELECT count(*) AS n FROM read_parquet('`$ds/**/*.parquet') WHERE eventTime > TIMESTAMP '2000-01-01'").n
if (`$n -ne `$r.EventsWritten - `$r.UnknownTimeEvents) { throw "Convert-IrTrailToParquet: `$n rows by eventTime" }
"@
    }
}

Describe 'Another AWSSDK.Core already loaded' {
    It 'imports and every cmdlet works after Add-Type of AWSSDK.Core 3.7.402 (as AWS Tools would load it)' {
        $old = $env:IRTRAIL_TEST_AWSSDK_CORE37
        if (-not $old -or -not (Test-Path $old)) { throw "AWSSDK.Core 3.7.402 was not restored (IRTRAIL_TEST_AWSSDK_CORE37='$old')" }
        $exported = (Import-PowerShellDataFile (Join-Path $ModulePath 'IrTrail.psd1')).CmdletsToExport
        foreach ($c in $exported) { $Smoke.Keys | Should -Contain $c -Because "every exported cmdlet needs a smoke call ($c)" }
        $calls = ($exported | ForEach-Object { $Smoke[$_] }) -join "`n"
        $out = Invoke-FreshPwsh @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$old'
Import-Module '$ModulePath'
$calls
[Amazon.Runtime.AWSCredentials].Assembly.GetName().Version.ToString()
`$alc = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'IrTrail'
`$mine = `$alc.Assemblies | Where-Object { `$_.GetName().Name -eq 'AWSSDK.Core' }
if (`$mine) { `$mine.GetName().Version.ToString() } else { 'none' }
'ok'
"@
        $out[-1] | Should -Be 'ok'
        $out[-3] | Should -BeLike '3.3.*'   # the session keeps its own AWSSDK.Core (assembly version 3.3.0.0 for 3.7.x)
        $out[-2] | Should -Match '^(4\.|none$)'  # IrTrail's own is v4, in its own context (if a smoke call loaded it)
    }
}

Describe 'Re-import and runspaces' {
    It 'works after Import-Module -Force' {
        $out = Invoke-FreshPwsh @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ModulePath'
(Invoke-IrTrailQuery 'SELECT 1 AS a').a
Import-Module '$ModulePath' -Force
(Invoke-IrTrailQuery 'SELECT 2 AS a').a
Remove-Module IrTrail
Import-Module '$ModulePath'
(Get-IrTrailEvent -Path '$Fixtures' | Measure-Object).Count
"@
        $out | Should -Be @('1', '2', '12')
    }

    It 'works in two runspaces at once' {
        $out = Invoke-FreshPwsh @"
`$ErrorActionPreference = 'Stop'
`$jobs = 1..2 | ForEach-Object {
    `$ps = [powershell]::Create([System.Management.Automation.RunspaceMode]::NewRunspace)
    `$null = `$ps.AddScript("Import-Module '$ModulePath'; (Invoke-IrTrailQuery 'SELECT `$_ AS a').a; (Get-IrTrailEvent -Path '$Fixtures' | Measure-Object).Count")
    [pscustomobject]@{ PS = `$ps; Handle = `$ps.BeginInvoke() }
}
foreach (`$j in `$jobs) { `$r = `$j.PS.EndInvoke(`$j.Handle); if (`$j.PS.HadErrors) { throw `$j.PS.Streams.Error[0] }; `$r -join ',' }
"@
        $out | Should -Be @('1,12', '2,12')
    }
}
