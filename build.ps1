#!/usr/bin/env pwsh
# OkvActors build script. Run through the repo's local PowerShell tool:
#   dotnet tool restore && dotnet pwsh ./build.ps1 <target>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('build', 'test', 'run', 'format', 'bench', 'chaos')]
    [string]$Target = 'build',
    # run: how many nodes `okv up` starts, where it keeps them, and the first remoting port.
    [int]$Nodes = 3,
    [string]$Dir = './.okv',
    [int]$BasePort = 0,
    # test: an optional xunit filter, e.g. "FullyQualifiedName~Pki".
    [string]$Filter = '',
    # bench: the performance lab (okv-lab, issue #7): OkvActors beside pykmip-server and etcd in one run, results in
    # bench/results/ (JSON, Markdown summary, PNG charts); -Quick for a short run; -BasePort defaults to 44000 there,
    # -Objects (records loaded before convergence and the kill) to 100000, -LargeObjects (a fresh cluster of each
    # system, then memory and a cold restart) to 1000000. Profiles need root (kernel CPU sampling).
    [switch]$Quick,
    # bench -Scale: the scale scenario (okv-load) on a new `okv up` cluster in -Dir (default ./.okv-bench/TIMESTAMP);
    # -BasePort defaults to 41000 there. Figures are reported against issue #3's targets, never enforced.
    [switch]$Scale,
    [int]$Objects = 100000,
    [int]$LargeObjects = 1000000,
    [int]$ShardCount = 0,
    [switch]$NoWipe,
    # bench -Micro: the BenchmarkDotNet suite instead (tests/OkvActors.Benchmarks), filtered by -BenchFilter.
    [switch]$Micro,
    [string]$BenchFilter = '*',
    # chaos: okv-chaos (src/OkvActors.Chaos) for -Duration seconds of seeded faults on -Nodes nodes (default 5 here);
    # -Seed replays a run (default: random, printed first). Report and chart in -Dir (default ./.okv-chaos/seed-N-TIME).
    # Exits non-zero when any check fails. Needs root and iproute2 for partitions (network namespaces).
    [int]$Duration = 1800,
    [Nullable[int]]$Seed = $null,
    # chaos -Broken (test only): nodes acknowledge writes before replicating them; the run should fail.
    [switch]$Broken
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
            $counters = ([xml](Get-Content -LiteralPath $trx.FullName -Raw)).TestRun.ResultSummary.Counters
            $passed += [int]$counters.passed
            $failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
            $skipped += [int]$counters.notExecuted
        }
        Write-Host "$passed passed, $failed failed, $skipped skipped"
        if ($testExit -ne 0) { throw "test failed with exit code $testExit" }
        if ($passed -eq 0) { throw 'no test ran' }
    }
    'bench' {
        if ($Micro) {
            Invoke-Step 'build benchmarks' { dotnet build tests/OkvActors.Benchmarks -c Release }
            # BenchmarkDotNet writes BenchmarkDotNet.Artifacts/ (markdown, CSV, JSON) in the working directory.
            Push-Location tests/OkvActors.Benchmarks
            try {
                Invoke-Step 'micro benchmarks' { dotnet run -c Release --no-build -- --filter $BenchFilter }
            }
            finally { Pop-Location }
        }
        elseif ($Scale) {
            Invoke-Step 'build okv-load' { dotnet build src/OkvActors.LoadGen -c Release }
            $benchDir = if ($PSBoundParameters.ContainsKey('Dir')) { $Dir } else { Join-Path './.okv-bench' (Get-Date -Format 'yyyyMMdd-HHmmss') }
            $loadArgs = @('--dir', $benchDir, '--nodes', $Nodes, '--objects', $Objects)
            if ($BasePort -gt 0) { $loadArgs += @('--base-port', $BasePort) }
            if ($ShardCount -gt 0) { $loadArgs += @('--shard-count', $ShardCount) }
            if ($NoWipe) { $loadArgs += '--no-wipe' }
            Invoke-Step 'scale scenario' { dotnet src/OkvActors.LoadGen/bin/Release/net10.0/okv-load.dll @loadArgs }
        }
        else {
            # The peers come from Debian; install them when missing (root on the project's machines).
            if (-not (Test-Path /usr/bin/etcd) -or -not (Test-Path /usr/bin/pykmip-server)) {
                Invoke-Step 'install etcd-server and python3-pykmip' {
                    apt-get update -qq
                    apt-get install -y -qq etcd-server etcd-client python3-pykmip
                }
            }
            Invoke-Step 'build okv-lab' { dotnet build src/OkvActors.Lab -c Release }
            # The lab's micro part runs the BenchmarkDotNet suites as child processes; its profiles use the repo's dotnet-counters and dotnet-trace.
            Invoke-Step 'build micro benchmarks' {
                dotnet build tests/OkvActors.Benchmarks -c Release
                if ($LASTEXITCODE -eq 0) { dotnet build tests/OkvActors.Kmip.Benchmarks -c Release }
            }
            Invoke-Step 'restore dotnet tools' { dotnet tool restore }
            $labArgs = @()
            if ($Quick) { $labArgs += '--quick' }
            if ($BasePort -gt 0) { $labArgs += @('--base-port', $BasePort) }
            if ($PSBoundParameters.ContainsKey('Dir')) { $labArgs += @('--dir', $Dir) }
            if ($PSBoundParameters.ContainsKey('Objects')) { $labArgs += @('--objects', $Objects) }
            if ($PSBoundParameters.ContainsKey('LargeObjects')) { $labArgs += @('--large-objects', $LargeObjects) }
            Invoke-Step 'performance lab' { dotnet src/OkvActors.Lab/bin/Release/net10.0/okv-lab.dll @labArgs }
        }
    }
    'chaos' {
        Invoke-Step 'build okv-chaos' { dotnet build src/OkvActors.Chaos -c Release }
        $chaosNodes = if ($PSBoundParameters.ContainsKey('Nodes')) { $Nodes } else { 5 }
        $chaosArgs = @('--nodes', $chaosNodes, '--duration', $Duration)
        if ($null -ne $Seed) { $chaosArgs += @('--seed', $Seed) }
        if ($PSBoundParameters.ContainsKey('Dir')) { $chaosArgs += @('--dir', $Dir) }
        if ($BasePort -gt 0) { $chaosArgs += @('--base-port', $BasePort) }
        # The broken build loses what it acknowledged but had not replicated when a node's disk goes: aim cut-and-wipes at it.
        if ($Broken) { $chaosArgs += @('--broken', '--kinds', 'cutwipe') }
        dotnet src/OkvActors.Chaos/bin/Release/net10.0/okv-chaos.dll @chaosArgs
        $chaosExit = $LASTEXITCODE
        if ($chaosExit -ne 0) { Write-Host "chaos: failed with exit code $chaosExit (1: a check failed; 2: bad arguments; 3: the run could not be done)" -ForegroundColor Red }
        exit $chaosExit
    }
    'run' {
        Invoke-Step 'build' { dotnet build src/OkvActors.Node -c Release }
        $upArgs = @('up', '--nodes', $Nodes, '--dir', $Dir)
        if ($BasePort -gt 0) { $upArgs += @('--base-port', $BasePort) }
        dotnet run --project src/OkvActors.Node -c Release --no-build -- @upArgs
        exit $LASTEXITCODE
    }
}
