# The built module against s3rver (pinned in tests/s3, installed with npm ci when missing) on a free loopback port.
BeforeAll {
    Import-Module $env:IRTRAIL_MODULE_PATH -Force
    $script:S3Dir = Join-Path $PSScriptRoot '../s3' | Resolve-Path | Select-Object -ExpandProperty Path
    $bin = Join-Path $S3Dir 'node_modules/s3rver/bin/s3rver.js'
    if (-not (Test-Path $bin)) {
        Push-Location $S3Dir
        try { npm ci --no-audit --no-fund | Out-Null; if ($LASTEXITCODE) { throw "npm ci failed in $S3Dir" } } finally { Pop-Location }
    }
    $l = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0); $l.Start(); $port = $l.LocalEndpoint.Port; $l.Stop()
    $script:DataDir = Join-Path ([IO.Path]::GetTempPath()) "irtrail-pester-s3-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory $DataDir
    $psi = [System.Diagnostics.ProcessStartInfo]::new('node')
    foreach ($a in $bin, '-d', $DataDir, '-a', '127.0.0.1', '-p', "$port", '--silent', '--configure-bucket', 'irtrail') { $psi.ArgumentList.Add($a) }
    $psi.Environment['NODE_OPTIONS'] = '--openssl-legacy-provider' # s3rver 3.7.1 continuation tokens need OpenSSL's legacy provider
    $psi.UseShellExecute = $false; $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
    $script:Server = [System.Diagnostics.Process]::Start($psi)
    $script:Endpoint = "http://127.0.0.1:$port"
    for ($i = 0; $i -lt 100; $i++) {
        try { $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $port); $c.Dispose(); break } catch { Start-Sleep -Milliseconds 100 }
    }
    $script:Cred = [pscredential]::new('S3RVER', (ConvertTo-SecureString 'S3RVER' -AsPlainText -Force))
    $script:Aws = @{ EndpointUrl = $Endpoint; Credential = $Cred }

    # The SANS lab logs, uploaded under the CloudTrail layout (read from ../shared, never copied into the repository).
    $script:Sans = if ($env:IRTRAIL_SHARED_DATA) { Join-Path $env:IRTRAIL_SHARED_DATA 'sans504-s3-ransomware-lab' }
    $script:HaveSans = [bool]$Sans -and (Test-Path (Join-Path $Sans 'us-west-1/2021/07/30'))
    if ($HaveSans) {
        $script:Sans = (Resolve-Path $Sans).Path
        $files = @('us-west-1/2021/07/29', 'us-west-1/2021/07/30', 'us-east-2/2021/07/30') |
            ForEach-Object { Get-ChildItem (Join-Path $Sans $_) -File }
        foreach ($f in $files) {
            $rel = [IO.Path]::GetRelativePath($Sans, $f.FullName).Replace('\', '/')
            # s3rver accepts unsigned PUTs; the module under test always signs.
            $null = Invoke-WebRequest -Method Put -Uri "$Endpoint/irtrail/AWSLogs/342082656213/CloudTrail/$rel" -InFile $f.FullName -ContentType 'application/octet-stream'
        }
        $script:DayFiles = Get-ChildItem (Join-Path $Sans 'us-west-1/2021/07/30') -File | Sort-Object Name
    }
}

AfterAll {
    if ($Server -and -not $Server.HasExited) { $Server.Kill($true); $Server.WaitForExit(5000) | Out-Null }
    if ($DataDir) { Remove-Item $DataDir -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Get-IrTrailLogFile against a loopback S3 server' {
    BeforeEach { if (-not $HaveSans) { Set-ItResult -Skipped -Because '../shared is absent' } }

    It 'returns exactly one day of one region with Account and Region filled in' {
        $found = Get-IrTrailLogFile -S3Uri s3://irtrail/ @Aws -Region us-west-1 -StartTime 2021-07-30 -EndTime 2021-07-30T23:59:59Z
        $found.Count | Should -Be $DayFiles.Count
        ($found | ForEach-Object { $_.Uri.Split('/')[-1] } | Sort-Object) | Should -Be ($DayFiles.Name | Sort-Object)
        $found | ForEach-Object {
            $_.Account | Should -Be '342082656213'
            $_.Region | Should -Be 'us-west-1'
            $_.Date | Should -Be ([datetime]'2021-07-30')
            $_.Kind | Should -Be 'Log'
        }
        $found[0].PSObject.TypeNames[0] | Should -Be 'IrTrail.LogFile'
        ($found | Format-Table | Out-String) | Should -Match 'us-west-1'
    }

    It 'stops listing when Select-Object -First has enough' {
        $first = Get-IrTrailLogFile s3://irtrail/AWSLogs/ @Aws | Select-Object -First 2
        $first.Count | Should -Be 2
    }

    It 'says which credential source won with -Debug' {
        # This suite runs in a non-interactive pwsh: -Debug must not prompt there.
        $debug = Get-IrTrailLogFile s3://irtrail/AWSLogs/ @Aws -StartTime 2021-07-30 -EndTime 2021-07-30 -Debug 5>&1 |
            Where-Object { $_ -is [System.Management.Automation.DebugRecord] }
        ($debug.Message -join "`n") | Should -Match 'AWS credentials from explicit -Credential'
        ($debug.Message -join "`n") | Should -Match "ListObjectsV2 prefix 'AWSLogs/342082656213/CloudTrail/us-east-2/2021/07/30/'"
    }
}

Describe 'Convert-IrTrailToParquet over S3 objects' {
    BeforeEach { if (-not $HaveSans) { Set-ItResult -Skipped -Because '../shared is absent' } }

    It 'writes the same rows as converting the same files from disk, recording s3:// sources' {
        $s3Set = Join-Path $TestDrive 's3-dataset'; $diskSet = Join-Path $TestDrive 'disk-dataset'
        $r = Get-IrTrailLogFile -S3Uri s3://irtrail/ @Aws -Region us-west-1 -StartTime 2021-07-30 -EndTime 2021-07-30T23:59:59Z |
            Convert-IrTrailToParquet -Destination $s3Set @Aws -Confirm:$false
        $d = Convert-IrTrailToParquet -LiteralPath $DayFiles.FullName -Destination $diskSet -Confirm:$false
        $r.FilesRead | Should -Be $DayFiles.Count
        $r.EventsWritten | Should -Be $d.EventsWritten
        $q = { param($set) Invoke-IrTrailQuery "SELECT eventID, eventTime, eventName, requestParameters FROM read_parquet('$set/**/*.parquet', hive_partitioning=true) ORDER BY eventID" }
        $fromS3 = & $q $s3Set | ConvertTo-Json -Depth 3 -Compress
        $fromDisk = & $q $diskSet | ConvertTo-Json -Depth 3 -Compress
        $fromS3 | Should -Be $fromDisk
        $sources = Invoke-IrTrailQuery "SELECT DISTINCT sourceFile FROM read_parquet('$s3Set/**/*.parquet', hive_partitioning=true)"
        $sources.sourceFile | ForEach-Object { $_ | Should -BeLike 's3://irtrail/AWSLogs/342082656213/CloudTrail/us-west-1/2021/07/30/*' }
        (Get-Content (Join-Path $s3Set '_irtrail/manifest.jsonl') | Select-Object -First 1) | Should -Match 's3://irtrail/'
    }
}

Describe 'Get-IrTrailEvent over S3 objects' {
    BeforeEach { if (-not $HaveSans) { Set-ItResult -Skipped -Because '../shared is absent' } }

    It 'gives the same events as the same files read from disk, with s3:// sources' {
        $fromS3 = Get-IrTrailLogFile s3://irtrail/ @Aws -Region us-west-1 -StartTime 2021-07-30 -EndTime 2021-07-30 | Get-IrTrailEvent @Aws
        # Same file order on both sides (S3 lists keys in ordinal order), so the event sequences must match exactly:
        # this also checks that prefetching S3 objects keeps their order.
        $ordered = [string[]]$DayFiles.FullName
        [Array]::Sort($ordered, [StringComparer]::Ordinal)
        $fromDisk = Get-IrTrailEvent -LiteralPath $ordered
        ($fromS3 | ForEach-Object EventID) -join ',' | Should -Be (($fromDisk | ForEach-Object EventID) -join ',')
        $fromS3.Count | Should -BeGreaterThan 0
        ($fromS3 | ForEach-Object { "$($_.EventID)|$($_.EventName)|$($_.EventTimeText)" } | Sort-Object) |
            Should -Be ($fromDisk | ForEach-Object { "$($_.EventID)|$($_.EventName)|$($_.EventTimeText)" } | Sort-Object)
        $fromS3 | ForEach-Object { $_.SourceFile | Should -BeLike 's3://irtrail/AWSLogs/342082656213/CloudTrail/us-west-1/2021/07/30/*' }
    }

    It 'reports a missing object as ObjectNotFound and goes on' {
        $good = Get-IrTrailLogFile s3://irtrail/ @Aws -Region us-west-1 -StartTime 2021-07-30 -EndTime 2021-07-30 | Select-Object -First 1
        # IrTrail.LogFile lives in the module's own load context, so it is made from an instance, not a type literal.
        $ghost = $good.GetType()::new()
        $ghost.Uri = 's3://irtrail/AWSLogs/ghost.json.gz'; $ghost.BucketName = 'irtrail'; $ghost.Key = 'AWSLogs/ghost.json.gz' 
        $events = @($ghost, $good) | Get-IrTrailEvent @Aws -ErrorVariable errs -ErrorAction SilentlyContinue
        $events.Count | Should -BeGreaterThan 0
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'S3ObjectNotFound*'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].TargetObject | Should -Be 's3://irtrail/AWSLogs/ghost.json.gz'
    }
}

Describe 'Save-IrTrailLog' {
    BeforeEach { if (-not $HaveSans) { Set-ItResult -Skipped -Because '../shared is absent' } }

    It 'writes verified files and a manifest whose SHA-256 values match the bytes on disk, and resumes' {
        $case = Join-Path $TestDrive 'case'
        $files = Get-IrTrailLogFile s3://irtrail/ @Aws -Region us-west-1 -StartTime 2021-07-29 -EndTime 2021-07-30
        $files | Save-IrTrailLog -Destination $case @Aws -WhatIf
        Test-Path $case | Should -BeFalse

        $files | Select-Object -First 3 | Save-IrTrailLog -Destination $case @Aws -Force | Out-Null
        $r = $files | Save-IrTrailLog -Destination $case @Aws -Force -ThrottleLimit 3
        $r.AlreadyPresent | Should -Be 3
        $r.Downloaded | Should -Be ($files.Count - 3)
        $r.Failed | Should -Be 0
        $m = Get-Content $r.ManifestPath -Raw | ConvertFrom-Json
        $m.Objects.Count | Should -Be $files.Count
        $m.Host | Should -Not -BeNullOrEmpty
        $m.IrTrailVersion | Should -Not -BeNullOrEmpty
        foreach ($o in $m.Objects) {
            $local = Join-Path $case $o.LocalPath
            (Get-FileHash $local -Algorithm SHA256).Hash | Should -Be $o.Sha256.ToUpperInvariant()
            (Get-Item $local).Length | Should -Be $o.Size
            $o.SourceUri | Should -Be "s3://irtrail/$($o.LocalPath.Substring('irtrail/'.Length))"
        }
        # The case folder reads back with the same finder.
        (Get-IrTrailLogFile -Path (Join-Path $case 'irtrail')).Count | Should -Be $files.Count
    }
}

Describe 'AWS errors' {
    It 'a profile that does not exist is a terminating error, not a fallback' {
        $creds = Join-Path $TestDrive 'credentials'
        Set-Content $creds "[default]`naws_access_key_id = A`naws_secret_access_key = B`n"
        { Get-IrTrailLogFile s3://irtrail/ -ProfileName nope -ProfileLocation $creds -EndpointUrl $Endpoint -ErrorAction Stop } |
            Should -Throw -ErrorId 'AwsProfileNotFound*'
    }

    It 'a missing bucket is ObjectNotFound naming the bucket' {
        Get-IrTrailLogFile s3://no-such-bucket/AWSLogs/ @Aws -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        "$($errs[0])" | Should -Match 'no-such-bucket'
    }

    It 'completes profile names and regions offline' {
        $creds = Join-Path $TestDrive 'credentials2'
        Set-Content $creds "[ir-team]`naws_access_key_id = A`naws_secret_access_key = B`n"
        $c = TabExpansion2 -inputScript "Get-IrTrailLogFile -ProfileLocation $creds -ProfileName ir" -cursorColumn ("Get-IrTrailLogFile -ProfileLocation $creds -ProfileName ir".Length)
        $c.CompletionMatches.CompletionText | Should -Contain 'ir-team'
        $r = TabExpansion2 -inputScript 'Get-IrTrailLogFile -Region us-we' -cursorColumn 'Get-IrTrailLogFile -Region us-we'.Length
        $r.CompletionMatches.CompletionText | Should -Contain 'us-west-1'
    }
}

Describe 'Assume-role profiles' {
    It 'assumes the role through STS (a loopback stub) and uses the temporary credentials for S3' {
        $l = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0); $l.Start(); $stsPort = $l.LocalEndpoint.Port; $l.Stop()
        # A minimal STS: answers AssumeRole (query or JSON protocol) with temporary credentials, a few requests at most. They are
        # the only keys s3rver accepts, so the S3 call succeeds only if IrTrail used the assumed role (not the base keys).
        # Listening before the job starts: a request sent while the job is still starting would be refused.
        $stsListener = [System.Net.HttpListener]::new(); $stsListener.Prefixes.Add("http://127.0.0.1:$stsPort/"); $stsListener.Start()
        $sts = Start-ThreadJob -ArgumentList $stsListener -ScriptBlock {
            param($listener)
            try {
                for ($i = 0; $i -lt 3; $i++) {
                    # The first request may take a while (module load); after it, stop soon once the SDK is done.
                    $t = $listener.GetContextAsync(); if (-not $t.Wait($(if ($i -eq 0) { 60000 } else { 1500 }))) { break }
                    $ctx = $t.Result
                    $body = [IO.StreamReader]::new($ctx.Request.InputStream).ReadToEnd()
                    "$($ctx.Request.ContentType)|$($ctx.Request.Headers['X-Amz-Target'])|$body"
                    if ("$($ctx.Request.ContentType)" -like '*json*') {
                        $ctx.Response.ContentType = 'application/x-amz-json-1.0'
                        $text = '{"Credentials":{"AccessKeyId":"S3RVER","SecretAccessKey":"S3RVER","SessionToken":"stub-token","Expiration":1893456000},' +
                                '"AssumedRoleUser":{"AssumedRoleId":"AROASTUB:irtrail","Arn":"arn:aws:sts::111122223333:assumed-role/ir/irtrail"}}'
                    } else {
                        $ctx.Response.ContentType = 'text/xml'
                        $text = '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><AssumedRoleUser><AssumedRoleId>AROASTUB:irtrail</AssumedRoleId>' +
                                '<Arn>arn:aws:sts::111122223333:assumed-role/ir/irtrail</Arn></AssumedRoleUser><Credentials><AccessKeyId>S3RVER</AccessKeyId>' +
                                '<SecretAccessKey>S3RVER</SecretAccessKey><SessionToken>stub-token</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>' +
                                '</AssumeRoleResult><ResponseMetadata><RequestId>stub-1</RequestId></ResponseMetadata></AssumeRoleResponse>'
                    }
                    $bytes = [Text.Encoding]::UTF8.GetBytes($text)
                    $ctx.Response.OutputStream.Write($bytes, 0, $bytes.Length); $ctx.Response.Close()
                }
            } finally { $listener.Stop() }
        }
        $creds = Join-Path $TestDrive 'assume-role-credentials'
        @"
[base]
aws_access_key_id = AKIABASEEXAMPLE
aws_secret_access_key = base-secret

[ir]
role_arn = arn:aws:iam::111122223333:role/ir
source_profile = base
role_session_name = irtrail
region = us-east-1
"@ | Set-Content $creds
        $env:AWS_ENDPOINT_URL_STS = "http://127.0.0.1:$stsPort"
        try {
            $debug = Get-IrTrailLogFile s3://irtrail/AWSLogs/ -ProfileName ir -ProfileLocation $creds -EndpointUrl $Endpoint -Debug 5>&1 -ErrorAction Stop
            $msgs = ($debug | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }).Message -join "`n"
            $msgs | Should -Match "profile 'ir'"
        } finally {
            Remove-Item Env:AWS_ENDPOINT_URL_STS
            $requests = $sts | Wait-Job -Timeout 30 | Receive-Job
            $sts | Stop-Job -PassThru | Remove-Job -Force
        }
        ($requests -join "`n") | Should -Match 'AssumeRole'
        ($requests -join "`n") | Should -Match 'ir'
    }
}

Describe 'Throttling and server errors' {
    BeforeAll {
        # A loopback S3 stand-in that answers 503 SlowDown a given number of times, then an empty listing.
        function Start-FlakyS3([int] $Failures, [int] $MaxRequests = 8) {
            $l = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0); $l.Start(); $port = $l.LocalEndpoint.Port; $l.Stop()
            # Listening before the job starts: a request sent while the job is still starting would be refused, which is
            # not the 503 this stub is for.
            $listener = [System.Net.HttpListener]::new(); $listener.Prefixes.Add("http://127.0.0.1:$port/"); $listener.Start()
            $job = Start-ThreadJob -ArgumentList $listener, $Failures, $MaxRequests -ScriptBlock {
                param($listener, $failures, $max)
                try {
                    for ($i = 0; $i -lt $max; $i++) {
                        $t = $listener.GetContextAsync(); if (-not $t.Wait($(if ($i -eq 0) { 60000 } else { 8000 }))) { break }
                        $ctx = $t.Result
                        "$($ctx.Request.HttpMethod) $($ctx.Request.RawUrl)"
                        if ($i -lt $failures) {
                            $ctx.Response.StatusCode = 503
                            $text = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>stub</RequestId></Error>'
                        } else {
                            $text = '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>flaky</Name><Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>'
                        }
                        $ctx.Response.ContentType = 'application/xml'
                        $bytes = [Text.Encoding]::UTF8.GetBytes($text)
                        $ctx.Response.OutputStream.Write($bytes, 0, $bytes.Length); $ctx.Response.Close()
                    }
                } finally { $listener.Stop() }
            }
            [pscustomobject]@{ Job = $job; Endpoint = "http://127.0.0.1:$port" }
        }
        $script:DayPrefix = 's3://flaky/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/'
    }

    It 'retries 503 SlowDown with backoff and then succeeds' {
        $stub = Start-FlakyS3 -Failures 2
        $found = Get-IrTrailLogFile -S3Uri $DayPrefix -EndpointUrl $stub.Endpoint -Credential $Cred -Region us-east-1 -ErrorVariable errs -ErrorAction SilentlyContinue
        $requests = $stub.Job | Wait-Job -Timeout 30 | Receive-Job; $stub.Job | Remove-Job -Force
        $errs.Count | Should -Be 0
        @($found).Count | Should -Be 0
        @($requests | Where-Object { $_ -like 'GET *' }).Count | Should -BeGreaterOrEqual 3   # 2 refusals, then the listing
    }

    It 'gives up after a bounded number of retries with an error record' {
        $stub = Start-FlakyS3 -Failures 100 -MaxRequests 12
        $null = Get-IrTrailLogFile -S3Uri $DayPrefix -EndpointUrl $stub.Endpoint -Credential $Cred -Region us-east-1 -ErrorVariable errs -ErrorAction SilentlyContinue
        $requests = $stub.Job | Wait-Job -Timeout 30 | Receive-Job; $stub.Job | Remove-Job -Force
        $errs.Count | Should -BeGreaterThan 0
        "$($errs[0])" | Should -Match 'SlowDown|reduce your request rate|503'
        @($requests).Count | Should -BeLessOrEqual 6    # the first try and at most 4 retries (plus nothing else)
        @($requests).Count | Should -BeGreaterOrEqual 2
    }
}
