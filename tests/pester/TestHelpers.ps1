# Shared helpers for the Pester suites (dot-source in BeforeAll).

# Runs a script in a brand-new pwsh process and returns its output lines; throws with its output if it fails.
function Invoke-FreshPwsh {
    param([Parameter(Mandatory)] [string] $Script, [int] $TimeoutSeconds = 300)
    $exe = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
    $file = Join-Path ([System.IO.Path]::GetTempPath()) "irtrail-$([guid]::NewGuid().ToString('n')).ps1"
    Set-Content -Path $file -Value $Script -Encoding utf8NoBOM
    try {
        $psi = [System.Diagnostics.ProcessStartInfo]::new()
        if (Test-Path $exe) { $psi.FileName = $exe } else { $psi.FileName = (Get-Command dotnet).Source; $psi.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
        foreach ($a in '-NoProfile', '-NonInteractive', '-File', $file) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
        $p = [System.Diagnostics.Process]::Start($psi)
        $stdout = $p.StandardOutput.ReadToEndAsync(); $stderr = $p.StandardError.ReadToEndAsync()
        if (-not $p.WaitForExit($TimeoutSeconds * 1000)) { $p.Kill($true); throw "pwsh timed out after $TimeoutSeconds s" }
        $out = $stdout.Result -split "`r?`n" | Where-Object { $_ -ne '' }
        if ($p.ExitCode -ne 0) { throw "pwsh exited with $($p.ExitCode):`n$($stdout.Result)`n$($stderr.Result)" }
        $out
    } finally { Remove-Item $file -ErrorAction SilentlyContinue }
}

function Get-SharedData {
    if ($env:IRTRAIL_SHARED_DATA -and (Test-Path $env:IRTRAIL_SHARED_DATA)) { $env:IRTRAIL_SHARED_DATA } else { $null }
}
