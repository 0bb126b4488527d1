#!/usr/bin/env pwsh
# OkvActors build script. Run through the repo's local PowerShell tool:
#   dotnet tool restore && dotnet pwsh ./build.ps1 <target>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'run', 'format')]
    [string]$Target = 'build',
    # run: how many nodes `okv up` starts, where it keeps them, and the first remoting port.
    [int]$Nodes = 3,
    [string]$Dir = './.okv',
    [int]$BasePort = 0,
    # test: an optional xunit filter, e.g. "FullyQualifiedName~Pki".
    [string]$Filter = ''
)

$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-Step([string]$what, [scriptblock]$block) {
    Write-Host "==> $what" -ForegroundColor Cyan
    & $block
    if ($LASTEXITCODE -ne 0) { throw "$what failed with exit code $LASTEXITCODE" }
}

switch ($Target) {
    'build' {
        Invoke-Step 'build' { dotnet build OkvActors.sln -c Release }
    }
    'format' {
        Invoke-Step 'format check' { dotnet format OkvActors.sln --verify-no-changes --verbosity minimal }
    }
    'test' {
        Invoke-Step 'build' { dotnet build OkvActors.sln -c Release }
        Invoke-Step 'format check' { dotnet format OkvActors.sln --verify-no-changes --verbosity minimal --no-restore }
        $results = Join-Path $PSScriptRoot 'TestResults'
        if (Test-Path $results) { Remove-Item $results -Recurse -Force }
        $testArgs = @('test', 'OkvActors.sln', '-c', 'Release', '--no-build',
            '--logger', 'console;verbosity=minimal', '--logger', 'trx', '--results-directory', $results)
        if ($Filter) { $testArgs += @('--filter', $Filter) }
        Write-Host '==> test' -ForegroundColor Cyan
        dotnet @testArgs
        $testExit = $LASTEXITCODE
        # One closing line over all test projects, in the plain form CI reads.
        $passed = 0; $failed = 0; $skipped = 0
        foreach ($trx in Get-ChildItem $results -Filter *.trx -ErrorAction SilentlyContinue) {
            $counters = ([xml](Get-Content $trx.FullName -Raw)).TestRun.ResultSummary.Counters
            $passed += [int]$counters.passed
            $failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
            $skipped += [int]$counters.notExecuted
        }
        Write-Host "$passed passed, $failed failed, $skipped skipped"
        if ($testExit -ne 0) { throw "test failed with exit code $testExit" }
        if ($passed -eq 0) { throw 'no test ran' }
    }
    'run' {
        Invoke-Step 'build' { dotnet build src/OkvActors.Node -c Release }
        $upArgs = @('up', '--nodes', $Nodes, '--dir', $Dir)
        if ($BasePort -gt 0) { $upArgs += @('--base-port', $BasePort) }
        dotnet run --project src/OkvActors.Node -c Release --no-build -- @upArgs
        exit $LASTEXITCODE
    }
}
