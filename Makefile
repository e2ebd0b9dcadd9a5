# ProverMarketChain — two commands on a fresh machine: `make demo` and `make test`.
# Everything below installs what it needs idempotently (npm packages, NuGet restore).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

FORGE := node_modules/.bin/forge
DOTNET ?= dotnet
STAMP := node_modules/.pmc-setup-stamp

.PHONY: setup build indexer contracts test-circuits circuits-test circuits-demo dotnet-build test test-contracts test-dotnet test-deep snapshot layout bench bench-gpu gpu-bundle bench-indexer demo soak report simulate-bench simulate-replay clean

## setup: npm packages (forge, anvil, cast, solc-js, circom2, snarkjs, solady, chart.js), NuGet restore, and from Debian
## when missing: PostgreSQL (the indexer's tests) and chromium + chromium-driver (the dashboard's browser test). Idempotent.
setup: $(STAMP)
	@bash tools/setup-system.sh
	@$(DOTNET) restore ProverMarketChain.sln --verbosity quiet

$(STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@$(FORGE) --version >/dev/null
	@tools/solc-shim.js --version >/dev/null
	@touch $@

contracts: setup
	$(FORGE) build

## circuits: circom2 + snarkjs builds (cached in circuits/build; deterministic, test-only setup). The GPU path's tests
## prove all three small circuits on ILGPU's CPU accelerator and check the proofs with snarkjs (about 20 s of builds).
circuits-test: setup
	bash circuits/build.sh multiplier poseidon_chain comparators

circuits-demo: setup
	bash circuits/build.sh rollup_batch

dotnet-build: setup contracts
	$(DOTNET) build ProverMarketChain.sln -c Release --no-restore --verbosity quiet -nologo

build: contracts dotnet-build

## test: forge tests (unit, fuzz, invariants at 256 runs x depth 64) and the .NET tests.
test: test-contracts test-circuits test-dotnet

## test-circuits: JS tooling tests (Poseidon vectors, exporter, rollup input generator) and the snarkjs cross-check of
## the committed fixtures and verifiers (no circuit build needed).
test-circuits: setup
	node --test circuits/scripts/
	bash circuits/scripts/verify-fixtures.sh

test-contracts: contracts
	node tools/storage-layout.js --check
	$(FORGE) test
	FORGE_SNAPSHOT_CHECK=true FOUNDRY_PROFILE=gas $(FORGE) test

# One test assembly at a time (-m:1): the worker's market tests run on one-second blocks and real proofs, and sharing
# the 2 cores with the prover's MSM tests starved them. Failures print their message and stack. The demo's rollup test
# proves real rollup batches, so it needs the rollup circuit's build (circuits-demo: cached, and it also redoes a key
# left by an older setup, which would no longer match the committed verifier).
test-dotnet: dotnet-build circuits-test circuits-demo
	$(DOTNET) test ProverMarketChain.sln -c Release --no-build --verbosity quiet -nologo -m:1 --logger "console;verbosity=minimal"

## test-deep: long fuzzing and invariant profile.
test-deep: contracts
	FOUNDRY_PROFILE=deep $(FORGE) test

## snapshot: rewrite the committed gas snapshot.
snapshot: contracts
	FOUNDRY_PROFILE=gas $(FORGE) test

## layout: rewrite the committed storage-layout snapshot (test-contracts compares against it).
layout: $(STAMP)
	node tools/storage-layout.js --write

bench: dotnet-build
	bash circuits/build.sh poseidon_chain_2e16
	./pmc bench

## bench-indexer: `./pmc bench-indexer` (not part of `make test`): a synthetic history of REQUESTS (default 100,000)
## requests ingested on SQLite and on a temporary PostgreSQL (events/s), then every API endpoint timed over HTTP (p50/p99),
## and the event decoder's rate; PASS/FAIL against 5,000 events/s on SQLite and 50 ms p99. ENGINES=sqlite skips PostgreSQL.
## bench-gpu: `./pmc bench --device gpu`: G1 MSM 2^20 and synthetic 2^16 and 2^20-constraint proves on the GPU against
## the CPU prover in the same run (fails clearly where there is no GPU). DEVICE=ilgpu-cpu with small MSM_LOG2/PROVE_LOG2
## runs the same kernels on ILGPU's CPU accelerator.
bench-gpu: dotnet-build
	./pmc bench --device $(or $(DEVICE),gpu) $(if $(MSM_LOG2),--msm-log2 $(MSM_LOG2)) $(if $(PROVE_LOG2),--prove-log2 $(PROVE_LOG2))

## gpu-bundle: .device/gpu-bundle.tar.xz, a self-contained pmc for a GPU machine without .NET (see tools/gpu/bundle.sh).
gpu-bundle: $(STAMP)
	bash tools/gpu/bundle.sh

bench-indexer: dotnet-build
	./pmc bench-indexer $(if $(REQUESTS),--requests $(REQUESTS)) $(if $(ENGINES),--engines $(ENGINES))

## demo: the rollup on the market on an embedded anvil (three workers, every allocation mode, a burst of batched
## deliveries). It builds only what it runs, so a fresh machine's first demo is quick: npm packages, the contracts
## without their tests and scripts, the seeded rollup_batch key, and the CLI as a plain build (PMC_NO_R2R: no
## ReadyToRun publish; the demo's proofs are small). `make test` builds the rest.
demo: $(STAMP)
	bash tools/demo-build.sh
	PMC_NO_R2R=1 ./pmc demo --requests $(or $(REQUESTS),4) $(if $(BURST),--burst $(BURST))

## report: the economics report (`./pmc simulate --report reports`): the mechanism simulator's sweeps, the mission's
## claims measured (reports/economics.json, a `claims` array) and reports/economics.html (Chart.js from node_modules,
## inlined: no CDN). Deterministic for the default seed; needs the npm packages and the CLI (whose bindings are generated
## from the contracts' artifacts, hence the contracts without their tests), no circuits.
report: $(STAMP)
	$(DOTNET) restore src/Cli/Cli.csproj --verbosity quiet
	$(FORGE) build --skip test --skip script
	PMC_NO_R2R=1 ./pmc simulate --report reports

## simulate-bench: `./pmc simulate --bench`: 10,000 requests x 50 provers x 4 mechanisms against a 60 s budget.
simulate-bench: $(STAMP)
	$(DOTNET) restore src/Cli/Cli.csproj --verbosity quiet
	$(FORGE) build --skip test --skip script
	PMC_NO_R2R=1 ./pmc simulate --bench

## simulate-replay: `./pmc simulate --replay [--seed SEED]`: a small scenario of the seed run by the simulator and on the
## real contracts on an embedded anvil (the multiplier circuit, real proofs); exits 1 unless every request's winner and
## payment agree.
simulate-replay: $(STAMP)
	$(DOTNET) restore src/Cli/Cli.csproj --verbosity quiet
	$(FORGE) build --skip test --skip script
	PMC_NO_R2R=1 ./pmc simulate --replay $(if $(SEED),--seed $(SEED))

## indexer: `./pmc indexer` against a running chain (DEPLOYMENT=file, DB=path|postgres://..., RPC=url).
indexer: dotnet-build
	./pmc indexer --deployment $(DEPLOYMENT) $(if $(DB),--db $(DB)) $(if $(RPC),--rpc $(RPC))

## soak: `./pmc soak` (not part of `make test`): two honest requesters (every mode) and a hostile one against three worker
## processes on an embedded anvil, each behind a proxy failing 20% of its RPC calls, one killed with -9 and restarted
## every 20-60 s; MINUTES (default 10) of load, then a drain of at most 150 s. Prints a JSON audit and fails on an honest
## bond forfeited, an honest slash, a duplicate send or funds not conserved. SEED=S replays the random choices.
soak: build circuits-test
	./pmc soak --minutes $(or $(MINUTES),10) $(if $(SEED),--seed $(SEED)) --json

clean:
	rm -rf out cache
	$(DOTNET) clean ProverMarketChain.sln --verbosity quiet -nologo
