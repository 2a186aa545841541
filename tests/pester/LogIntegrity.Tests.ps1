# Test-IrTrailLogIntegrity through the built module, offline: signed sample data validates, tampering is found, and
# the objects show in their views.
BeforeAll {
    Import-Module $env:IRTRAIL_MODULE_PATH -Force
    $script:root = Join-Path ([System.IO.Path]::GetTempPath()) ("irtrail-pester-integrity-" + [guid]::NewGuid().ToString('N'))
    $script:sample = New-IrTrailSampleData -Path $root -EventCount 400 -Duration '02:00:00' -Seed 5 -Account 111122223333 -Region us-east-1, eu-west-1 -IncludeDigest -Confirm:$false
}
AfterAll {
    if ($script:root -and (Test-Path $script:root)) { Remove-Item $script:root -Recurse -Force }
}

Describe 'Test-IrTrailLogIntegrity' {
    It 'finds every digest and log file of signed sample data valid' {
        $results = $sample | Test-IrTrailLogIntegrity -InformationVariable info -ErrorVariable errs
        $errs | Should -BeNullOrEmpty
        $results[0].PSObject.TypeNames[0] | Should -Be 'IrTrail.LogIntegrityResult'
        @($results | Where-Object Kind -eq 'Digest').Count | Should -Be $sample.DigestFiles
        @($results | Where-Object Kind -eq 'Log').Count | Should -Be $sample.Files
        @($results | Where-Object Status -ne 'Valid').Count | Should -Be 0
        $info[0].MessageData.IsValid | Should -BeTrue
        ($results | Format-Table | Out-String) | Should -Match 'Valid\s+Digest\s+111122223333'
    }

    It 'reports a deleted log file as NotFound, with one error for the run' {
        $victim = Get-ChildItem (Join-Path $root 'AWSLogs') -Recurse -Filter *.json.gz | Where-Object FullName -match '[\\/]CloudTrail[\\/]' | Select-Object -First 1
        $copy = Join-Path $TestDrive 'victim'
        Copy-Item $victim.FullName $copy
        try {
            Remove-Item $victim.FullName
            $bad = $sample | Test-IrTrailLogIntegrity -ErrorVariable errs -ErrorAction SilentlyContinue | Where-Object Status -ne 'Valid'
            $bad.Status | Should -Be 'NotFound'
            $bad.Uri | Should -BeLike "*/$($victim.Name)"
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'LogIntegrityFailed*'
            $summary = $sample | Test-IrTrailLogIntegrity -Summary -ErrorAction SilentlyContinue
            $summary.IsValid | Should -BeFalse
            ($summary | Out-String) | Should -Match 'NotFound'
        } finally {
            Copy-Item $copy $victim.FullName
        }
    }

    It 'asks for -PublicKeyPath while ListPublicKeys is not wired' {
        { Test-IrTrailLogIntegrity -Path $root -ErrorAction Stop } | Should -Throw -ErrorId 'PublicKeySourceUnavailable*'
    }
}
