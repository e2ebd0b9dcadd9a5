#!/usr/bin/env bash
# Builds the demo/test circuits offline and idempotently.
#
# Usage: circuits/build.sh [--force] [--compile-only] [name...]
#   name: a circuit main file circuits/<name>.circom. Without names: the small circuits that `make test` needs
#         (multiplier poseidon_chain comparators rollup_batch). The 2^16-constraint benchmark circuit is opt-in:
#         circuits/build.sh poseidon_chain_2e16
#   --force: rebuild every step even if its outputs are up to date.
#   --compile-only: stop after circom2's compile (`make demo` compiles beside its .NET build, then runs the rest).
#
# For each circuit, outputs go to circuits/build/<name>/:
#   <name>.r1cs, <name>.sym, <name>_js/<name>.wasm   circom2 --O2 (circomlib from node_modules)
#   <name>.zkey, verification_key.json, <name>.setup  Groth16 setup (a cached powers of tau, or pmc setup)
#   input.json, <name>.wtns, proof.json, public.json  example witness and proof (checked with `groth16 verify`)
#   info.json                                          constraints, public inputs, ptau power, seconds per step
# Powers of tau are cached by power in circuits/build/ptau/pot<P>.ptau. The demo circuit rollup_batch instead gets a
# seeded `./pmc setup --insecure-seed` key (seconds instead of minutes of snarkjs powers of tau), and the benchmark
# circuit a random `./pmc setup` development key (a 2^16 ceremony would take over an hour here).
#
# The setup is DETERMINISTIC and INSECURE (test use only): for the snarkjs circuits, phase 1 and phase 2 each get one
# contribution from a snarkjs *beacon* with a fixed public hash; rollup_batch's trapdoor is derived from a fixed public
# seed. Anyone can recompute the toxic waste. Determinism is deliberate: a rebuild reproduces the same zkey and
# verification key, so committed verifiers keep matching local builds. <name>.setup records which setup made the zkey;
# a build whose record differs (e.g. an older snarkjs key of rollup_batch) redoes the setup.
# A step is skipped when its outputs are newer than its inputs (circuit sources, ptau, input).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BIN="$ROOT/node_modules/.bin"
CIRCOM="$BIN/circom2"
SNARKJS="$BIN/snarkjs"
BUILD="circuits/build"
DEFAULT_CIRCUITS=(multiplier poseidon_chain comparators rollup_batch)
# Benchmark-only circuits get a pmc development setup (fresh randomness, marked insecure) instead of a snarkjs powers of
# tau: a 2^16 ceremony takes over an hour on 2 cores, and the benchmark only needs one key both provers read.
DEV_SETUP_CIRCUITS=" poseidon_chain_2e16 "
# The demo circuit gets a pmc development setup from a fixed public seed: deterministic like the snarkjs beacons (the
# committed RollupBatchVerifier matches every build), without the 2^14 powers of tau (5+ minutes on 2 cores).
SEEDED_SETUP_CIRCUITS=" rollup_batch "
SETUP_SEED="pmc rollup_batch demo key: public seed, INSECURE, tests only"
MIN_POWER=10
# Public, fixed beacon values: they make the setup reproducible (and therefore worthless outside tests).
PTAU_BEACON="0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
ZKEY_BEACON="50726f7665724d61726b6574436861696e2074657374206f6e6c79206265616e"
BEACON_ITERATIONS_EXP=10

FORCE=0
COMPILE_ONLY=0
NAMES=()
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --compile-only) COMPILE_ONLY=1 ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build.sh: unknown option '$arg'" >&2; exit 2 ;;
    *) NAMES+=("$arg") ;;
  esac
done
[[ ${#NAMES[@]} -gt 0 ]] || NAMES=("${DEFAULT_CIRCUITS[@]}")

for tool in "$CIRCOM" "$SNARKJS"; do
  [[ -x "$tool" ]] || { echo "build.sh: $tool is missing; run 'make setup' (npm ci) first" >&2; exit 2; }
done

# up_to_date OUT... -- IN...: true when every OUT exists and is newer than every IN.
up_to_date() {
  [[ $FORCE -eq 0 ]] || return 1
  local outs=() ins=() seen=0 o i
  for a in "$@"; do
    if [[ "$a" == "--" ]]; then seen=1; elif [[ $seen -eq 0 ]]; then outs+=("$a"); else ins+=("$a"); fi
  done
  for o in "${outs[@]}"; do
    [[ -e "$o" ]] || return 1
    for i in "${ins[@]}"; do [[ "$o" -nt "$i" ]] || return 1; done
  done
  return 0
}

now() { date +%s.%N; }
declare -A STEP_SECONDS
# step NAME COMMAND...: runs and times a build step.
step() {
  local label="$1"; shift
  local t0 t1
  t0=$(now)
  "$@"
  t1=$(now)
  STEP_SECONDS[$label]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  printf '  %-10s %6ss\n' "$label" "${STEP_SECONDS[$label]}"
}

quiet() {
  local log
  log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "build.sh: failed: $*" >&2
    return 1
  fi
  rm -f "$log"
}

ensure_ptau() {
  local p="$1" dir="$BUILD/ptau"
  local final="$dir/pot$p.ptau"
  mkdir -p "$dir"
  if [[ -s "$final" && $FORCE -eq 0 ]]; then return 0; fi
  local tmp0="$dir/pot${p}_0000.ptau" tmp1="$dir/pot${p}_0001.ptau"
  quiet "$SNARKJS" powersoftau new bn128 "$p" "$tmp0"
  quiet "$SNARKJS" powersoftau beacon "$tmp0" "$tmp1" "$PTAU_BEACON" "$BEACON_ITERATIONS_EXP" -n="pmc test beacon"
  quiet "$SNARKJS" powersoftau prepare phase2 "$tmp1" "$final.partial"
  mv "$final.partial" "$final"
  rm -f "$tmp0" "$tmp1"
}

example_input() {
  local name="$1" out="$2" dir="$3"
  case "$name" in
    rollup_batch)
      node circuits/scripts/rollup-input.js --out "$out" --public "$dir/expected_public.json" 2>/dev/null ;;
    *)
      [[ -f "circuits/inputs/$name.json" ]] || { echo "build.sh: no example input circuits/inputs/$name.json" >&2; return 1; }
      cp "circuits/inputs/$name.json" "$out" ;;
  esac
}

build_one() {
  local name="$1"
  local src="circuits/$name.circom"
  [[ -f "$src" ]] || { echo "build.sh: no circuit $src" >&2; return 2; }
  local dir="$BUILD/$name"
  mkdir -p "$dir"
  STEP_SECONDS=()
  local t_start
  t_start=$(now)
  echo "== $name"
  local sources=("$src" circuits/lib/*.circom)

  local r1cs="$dir/$name.r1cs" wasm="$dir/${name}_js/$name.wasm" sym="$dir/$name.sym"
  if ! up_to_date "$r1cs" "$wasm" "$sym" -- "${sources[@]}"; then
    # circom2 runs under WASI, which follows no symlink out of its working directory: compile from / with absolute
    # paths, so a node_modules that links elsewhere (a git worktree sharing the main checkout's) still resolves.
    compile_circuit() { (cd / && quiet "$CIRCOM" "$ROOT/$src" --O2 --r1cs --wasm --sym -o "$ROOT/$dir" -l "$ROOT/node_modules"); }
    step compile compile_circuit
  fi
  [[ $COMPILE_ONLY -eq 0 ]] || return 0

  # Domain power as snarkjs computes it: ceil(log2(constraints + public inputs + public outputs + 1)).
  local info nConstraints nPub nOut nPriv
  info=$(node -e '
    const r = require(process.argv[1]);
    r.readR1cs(process.argv[2], { loadConstraints: false, loadMap: false }).then((c) => {
      console.log(c.nConstraints, c.nPubInputs, c.nOutputs, c.nPrvInputs);
      process.exit(0);
    });' "$ROOT/node_modules/r1csfile" "$r1cs")
  read -r nConstraints nPub nOut nPriv <<<"$info"
  local rows=$((nConstraints + nPub + nOut + 1)) power=0
  while (( (1 << power) < rows )); do power=$((power + 1)); done
  local ptauPower=$(( power < MIN_POWER ? MIN_POWER : power ))
  printf '  %s constraints, %s public (%s outputs + %s inputs), %s private inputs, domain 2^%s, ptau 2^%s\n' \
    "$nConstraints" "$((nPub + nOut))" "$nOut" "$nPub" "$nPriv" "$power" "$ptauPower"

  local zkey="$dir/$name.zkey" vk="$dir/verification_key.json" record="$dir/$name.setup"
  local ptau="$BUILD/ptau/pot$ptauPower.ptau" setup_id
  if [[ "$SEEDED_SETUP_CIRCUITS" == *" $name "* ]]; then
    setup_id="pmc setup --insecure-seed '$SETUP_SEED'"
  elif [[ "$DEV_SETUP_CIRCUITS" == *" $name "* ]]; then
    setup_id="pmc setup (random)"
  else
    setup_id="snarkjs beacon $PTAU_BEACON $ZKEY_BEACON $BEACON_ITERATIONS_EXP"
  fi
  # A key made by another kind of setup (or seed) than this script's is stale whatever its age. A build from before
  # these records has none: its key came from this script's setup, except a seeded circuit's (then a snarkjs key).
  local recorded
  recorded=$(cat "$record" 2>/dev/null || true)
  if [[ -f "$zkey" && "$recorded" != "$setup_id" ]] && [[ -n "$recorded" || "$SEEDED_SETUP_CIRCUITS" == *" $name "* ]]; then
    echo "  $zkey came from another setup (${recorded:-snarkjs}): redoing it"
    rm -f "$zkey" "$vk"
  fi
  if [[ "$SEEDED_SETUP_CIRCUITS" == *" $name "* || "$DEV_SETUP_CIRCUITS" == *" $name "* ]]; then
    if ! up_to_date "$zkey" "$vk" -- "$r1cs"; then
      dev_setup() {
        if [[ "$SEEDED_SETUP_CIRCUITS" == *" $name "* ]]; then
          quiet "$ROOT/pmc" setup "$r1cs" "$zkey" --insecure-seed "$SETUP_SEED"
        else
          quiet "$ROOT/pmc" setup "$r1cs" "$zkey"
        fi
        quiet "$ROOT/pmc" export vkey "$zkey" "$vk"
      }
      step setup dev_setup
    fi
    ptau="$r1cs"
  elif [[ ! -s "$ptau" || $FORCE -eq 1 ]]; then
    step ptau ensure_ptau "$ptauPower"
  fi

  if ! up_to_date "$zkey" "$vk" -- "$r1cs" "$ptau"; then
    setup_zkey() {
      quiet "$SNARKJS" groth16 setup "$r1cs" "$ptau" "$dir/${name}_0000.zkey"
      quiet "$SNARKJS" zkey beacon "$dir/${name}_0000.zkey" "$zkey" "$ZKEY_BEACON" "$BEACON_ITERATIONS_EXP" -n="pmc test beacon"
      rm -f "$dir/${name}_0000.zkey"
      quiet "$SNARKJS" zkey export verificationkey "$zkey" "$vk"
    }
    step setup setup_zkey
  fi
  printf '%s\n' "$setup_id" >"$record"

  local input="$dir/input.json" wtns="$dir/$name.wtns"
  local inputSources=(circuits/rollup_batch.circom circuits/scripts/rollup-input.js circuits/scripts/poseidon.js)
  [[ "$name" == rollup_batch ]] || inputSources=("circuits/inputs/$name.json")
  if ! up_to_date "$input" -- "${inputSources[@]}"; then example_input "$name" "$input" "$dir"; fi
  if ! up_to_date "$wtns" -- "$input" "$wasm"; then
    step witness quiet node "$dir/${name}_js/generate_witness.js" "$wasm" "$input" "$wtns"
  fi

  local proof="$dir/proof.json" pub="$dir/public.json"
  if ! up_to_date "$proof" "$pub" -- "$wtns" "$zkey"; then
    step prove quiet "$SNARKJS" groth16 prove "$zkey" "$wtns" "$proof" "$pub"
    step verify quiet "$SNARKJS" groth16 verify "$vk" "$pub" "$proof"
    if [[ -f "$dir/expected_public.json" ]]; then
      node -e '
        const [a, b] = process.argv.slice(1).map((f) => JSON.stringify(JSON.parse(require("fs").readFileSync(f, "utf8"))));
        if (a !== b) { console.error(`public.json ${a} differs from the expected public signals ${b}`); process.exit(1); }' \
        "$pub" "$dir/expected_public.json"
    fi
  fi

  local total
  total=$(awk -v a="$t_start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
  printf '  %-10s %6ss\n' total "$total"
  local steps_json="{" sep="" k
  for k in compile ptau setup witness prove verify; do
    if [[ -n "${STEP_SECONDS[$k]:-}" ]]; then steps_json+="$sep\"$k\": ${STEP_SECONDS[$k]}"; sep=", "; fi
  done
  steps_json+="}"
  # info.json keeps the figures of the last run that did any work.
  if [[ "$steps_json" != "{}" ]]; then
    cat >"$dir/info.json" <<JSON
{ "name": "$name", "constraints": $nConstraints, "publicInputs": $((nPub + nOut)), "privateInputs": $nPriv,
  "domainPower": $power, "ptauPower": $ptauPower, "secondsThisRun": $steps_json }
JSON
  fi
}

for name in "${NAMES[@]}"; do build_one "$name"; done
