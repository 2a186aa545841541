# Opt-in: a real AWS account. Runs only with IRTRAIL_LIVE_AWS=1 (Invoke-Tests.ps1 excludes the tag otherwise) and
# IRTRAIL_LIVE_S3URI=s3://bucket/prefix naming CloudTrail logs the ambient credentials may read.
BeforeAll {
    Import-Module $env:IRTRAIL_MODULE_PATH -Force
    $script:Uri = $env:IRTRAIL_LIVE_S3URI
}

Describe 'Live AWS' -Tag LiveAws {
    BeforeEach { if (-not $Uri) { Set-ItResult -Skipped -Because 'IRTRAIL_LIVE_S3URI is not set' } }

    It 'finds yesterday''s log files and reads their events in place' {
        $day = [datetime]::UtcNow.Date.AddDays(-1)
        $files = Get-IrTrailLogFile -S3Uri $Uri -StartTime $day -EndTime $day | Select-Object -First 3
        $files | Should -Not -BeNullOrEmpty
        $files | ForEach-Object { $_.Date | Should -Be $day }
        $events = $files | Get-IrTrailEvent | Select-Object -First 10
        $events | Should -Not -BeNullOrEmpty
        $events[0].SourceFile | Should -BeLike 's3://*'
    }

    It 'acquires them with a manifest that matches the disk' {
        $day = [datetime]::UtcNow.Date.AddDays(-1)
        $r = Get-IrTrailLogFile -S3Uri $Uri -StartTime $day -EndTime $day | Select-Object -First 3 |
            Save-IrTrailLog -Destination (Join-Path $TestDrive 'case') -Force
        $r.Failed | Should -Be 0
        (Get-Content $r.ManifestPath -Raw | ConvertFrom-Json).Objects | ForEach-Object {
            (Get-FileHash (Join-Path $TestDrive "case/$($_.LocalPath)")).Hash | Should -Be $_.Sha256.ToUpperInvariant()
        }
    }
}
