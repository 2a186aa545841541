# Export-IrTrailDashboard through the built module: the engine, the embedded charting library and DuckDB load from
# the module's own load context, and the sample's dashboard is one offline file.
BeforeAll {
    Import-Module $env:IRTRAIL_MODULE_PATH -Force
    $script:root = Join-Path ([System.IO.Path]::GetTempPath()) ("irtrail-pester-dashboard-" + [guid]::NewGuid().ToString('N'))
    $sample = New-IrTrailSampleData -Path (Join-Path $root 'sample') -EventCount 3000 -Duration '03:00:00' -Seed 5 -Confirm:$false
    $script:truth = Get-Content $sample.GroundTruthPath -Raw | ConvertFrom-Json
    $script:dataset = Convert-IrTrailToParquet -Path $sample.Path -Destination (Join-Path $root 'dataset') -Confirm:$false
}
AfterAll {
    if ($script:root -and (Test-Path $script:root)) { Remove-Item $script:root -Recurse -Force }
}

Describe 'Export-IrTrailDashboard' {
    It 'writes one self-contained page from the converter''s piped result and returns the file' {
        $file = $dataset | Export-IrTrailDashboard -Destination (Join-Path $root 'dashboard.html') -IpAddress $truth.maliciousIp -Title 'Pester' -Confirm:$false
        $file | Should -BeOfType [System.IO.FileInfo]
        $file.FullName | Should -Be (Join-Path $root 'dashboard.html')
        $html = Get-Content $file.FullName -Raw
        $html | Should -Match '<title>Pester</title>'
        $html | Should -Not -Match '<script[^>]+src='
        $html | Should -Not -Match '<link '
        $html | Should -Match "default-src 'none'"
        $html | Should -Match 'echarts'
        $data = [regex]::Match($html, '<script type="application/json" id="irtrail-data">(.*?)</script>', 'Singleline').Groups[1].Value | ConvertFrom-Json
        $data.eventCount | Should -Be $truth.events
        $data.ipAddresses | Should -Be @($truth.maliciousIp)
        $data.version | Should -Be (Get-Module IrTrail).Version.ToString()
        ($data.findings | Where-Object hits -gt 0).Count | Should -BeGreaterThan 3
    }

    It 'takes the converter''s result by its Destination alias too (as tools/Demo.ps1 does)' {
        $dataset.Destination | Should -Be $dataset.Path
        (Export-IrTrailDashboard -Path $dataset.Destination -Destination (Join-Path $root 'demo.html') -Force -Confirm:$false).Exists | Should -BeTrue
    }

    It 'shows up in Get-Help with examples' {
        (Get-Help Export-IrTrailDashboard -Examples).examples.example.Count | Should -BeGreaterOrEqual 2
    }

    It 'honours -WhatIf and refuses to replace a file without -Force' {
        $target = Join-Path $root 'again.html'
        Export-IrTrailDashboard $dataset.Path $target -WhatIf
        Test-Path $target | Should -BeFalse
        Set-Content $target 'keep'
        Export-IrTrailDashboard $dataset.Path $target -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DashboardExists,*'
        Get-Content $target -Raw | Should -Match 'keep'
    }
}
