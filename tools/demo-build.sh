#!/usr/bin/env bash
# Builds what `make demo` runs, and nothing else, overlapping the steps that do not depend on each other so a fresh
# machine's first demo starts soon (2 cores here):
#   - the contracts without their tests and scripts (solc-js: one core) build in the background while .NET restores and
#     builds the projects that do not read forge's output (Proving, the bindings generator);
#   - then the CLI (its bindings are generated from forge's artifacts), as the plain build `PMC_NO_R2R=1 ./pmc` runs,
#     with the rollup circuit's circom2 compile (WASI: one core) beside it;
#   - then the circuit's seeded key, example witness and proof check (circuits/build.sh; current outputs are skipped).
# The .NET builds skip Roslyn's analyzers (-p:RunAnalyzers=false: diagnostics only, the source generators still run),
# which halves the CLI's cold build here (about 43 s against 77 s); `make build` and `make test` build with them.
# A failed step prints its log and fails the script.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/node_modules/.bin:$PATH" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
logs="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$logs"; }
trap cleanup EXIT

background() { # background NAME COMMAND...: runs COMMAND with its output in $logs/NAME
  local name="$1"; shift
  ( "$@" >"$logs/$name" 2>&1 ) &
  pids+=($!)
  eval "pid_$name=$!"
}
finish() { # finish NAME: waits for the background step NAME and prints its output; fails when it failed
  local name="$1" pid
  eval "pid=\$pid_$name"
  if ! wait "$pid"; then
    cat "$logs/$name" >&2
    echo "demo-build: $name failed" >&2
    exit 1
  fi
  cat "$logs/$name"
}

start=$(date +%s.%N)
background forge forge build --skip test --skip script
dotnet restore src/Cli/Cli.csproj --verbosity quiet
dotnet build src/Proving/Proving.csproj -c Release --no-restore --verbosity quiet -nologo -p:RunAnalyzers=false
dotnet build src/ContractBindings.Generator/ContractBindings.Generator.csproj -c Release --no-restore --verbosity quiet -nologo -p:RunAnalyzers=false
finish forge
# The CLI build waits for forge (the critical path), so the circuit compiles beside the CLI build, not beside solc.
background circuit bash circuits/build.sh --compile-only rollup_batch
dotnet build src/Cli/Cli.csproj -c Release --no-restore --verbosity quiet -nologo -p:RunAnalyzers=false
finish circuit
PMC_NO_R2R=1 bash circuits/build.sh rollup_batch
echo "demo-build: built in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }') s"
