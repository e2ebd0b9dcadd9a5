#!/usr/bin/env bash
# Cross-checks the committed Foundry fixtures against snarkjs, independently of the Solidity verifier:
#   1. `snarkjs groth16 verify` accepts contracts/test/fixtures/<name>/{verification_key,public,proof}.json;
#   2. the proof words in contracts/test/fixtures/<Name>Fixture.sol are exactly those of
#      `snarkjs zkey export soliditycalldata` (so the G2 coordinate order is the one snarkjs' own verifier uses),
#      and its public inputs are public.json;
#   3. contracts/src/verifiers/<Name>Verifier.sol is what tools/export-verifier.js renders from the committed key
#      with the current template (no drift between template, key and committed verifier);
#   4. for rollup_batch, the batch fixture (circuits/scripts/export-batch-fixture.js): `snarkjs groth16 verify` accepts
#      a sample of contracts/test/fixtures/rollup_batch/batch.json's proofs (BATCH_SAMPLE, default "0 1 16 31"; "all"
#      for every one) with the committed key, and RollupBatchBatchFixture.sol holds exactly its proofs and signals.
# Usage: circuits/scripts/verify-fixtures.sh [name...]   (default: every directory under contracts/test/fixtures/)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SNARKJS="$ROOT/node_modules/.bin/snarkjs"
FIXTURES=contracts/test/fixtures

names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
  for d in "$FIXTURES"/*/; do names+=("$(basename "$d")"); done
fi

fail=0
for name in "${names[@]}"; do
  dir="$FIXTURES/$name"
  pascal=$(node -e 'console.log(process.argv[1].split(/[_-]/).map((w) => w[0].toUpperCase() + w.slice(1)).join(""))' "$name")
  if out=$("$SNARKJS" groth16 verify "$dir/verification_key.json" "$dir/public.json" "$dir/proof.json" 2>&1) \
      && grep -q "OK" <<<"$out"; then
    echo "ok   $name: snarkjs groth16 verify"
  else
    echo "FAIL $name: snarkjs groth16 verify: $out"; fail=1
  fi
  calldata=$("$SNARKJS" zkey export soliditycalldata "$dir/public.json" "$dir/proof.json")
  if node - "$calldata" "$FIXTURES/${pascal}Fixture.sol" "$dir/public.json" <<'JS'
const fs = require('fs');
const [calldata, fixtureFile, publicFile] = process.argv.slice(2);
const [a, b, c, pub] = JSON.parse(`[${calldata}]`);
const expectedProof = [...a, ...b.flat(), ...c].map((h) => BigInt(h));
const sol = fs.readFileSync(fixtureFile, 'utf8');
const words = [...sol.matchAll(/p\[(\d)\] = (\d+);/g)].map((m) => BigInt(m[2]));
const inputs = [...sol.matchAll(/inputs\[(\d+)\] = (\d+);/g)].map((m) => BigInt(m[2]));
const publicSignals = JSON.parse(fs.readFileSync(publicFile, 'utf8')).map(BigInt);
const same = (x, y) => x.length === y.length && x.every((v, i) => v === y[i]);
if (!same(words, expectedProof)) { console.error(`proof words differ from snarkjs soliditycalldata`); process.exit(1); }
if (!same(inputs, publicSignals) || !same(inputs, pub.map(BigInt))) { console.error('public inputs differ'); process.exit(1); }
JS
  then echo "ok   $name: ${pascal}Fixture.sol = snarkjs soliditycalldata"; else echo "FAIL $name: ${pascal}Fixture.sol"; fail=1; fi
  if node -e '
      const fs = require("fs");
      const { render } = require(process.argv[1]);
      const [tmpl, vk, sol, contractName] = process.argv.slice(2);
      const fresh = render(fs.readFileSync(tmpl, "utf8"), JSON.parse(fs.readFileSync(vk, "utf8")), contractName);
      process.exit(fresh === fs.readFileSync(sol, "utf8") ? 0 : 1);' \
      "$ROOT/tools/export-verifier.js" contracts/templates/Groth16Verifier.sol.tmpl "$dir/verification_key.json" \
      "contracts/src/verifiers/${pascal}Verifier.sol" "${pascal}Verifier"; then
    echo "ok   $name: ${pascal}Verifier.sol = export-verifier(template, verification_key.json)"
  else
    echo "FAIL $name: contracts/src/verifiers/${pascal}Verifier.sol differs from a fresh export"; fail=1
  fi
  if [[ "$name" == rollup_batch ]]; then
    batch="$dir/batch.json" lib="$FIXTURES/RollupBatchBatchFixture.sol"
    if [[ ! -f "$batch" || ! -f "$lib" ]]; then
      echo "FAIL $name: $batch or $lib is missing (node circuits/scripts/export-batch-fixture.js)"; fail=1; continue
    fi
    tmp=$(mktemp -d)
    count=$(node -e '
      const fs = require("fs"), path = require("path");
      const [batchFile, out, sample] = process.argv.slice(1);
      const b = JSON.parse(fs.readFileSync(batchFile, "utf8"));
      const picks = sample === "all" ? b.proofs.map((_, i) => i) : sample.split(/\s+/).map(Number).filter((i) => i < b.proofs.length);
      for (const i of picks) {
        fs.writeFileSync(path.join(out, `proof_${i}.json`), JSON.stringify(b.proofs[i]));
        fs.writeFileSync(path.join(out, `public_${i}.json`), JSON.stringify(b.publicSignals[i]));
      }
      console.log(b.proofs.length);' "$batch" "$tmp" "${BATCH_SAMPLE:-0 1 16 31}")
    for proof in "$tmp"/proof_*.json; do
      i=${proof##*/proof_}; i=${i%.json}
      if out=$("$SNARKJS" groth16 verify "$dir/verification_key.json" "$tmp/public_$i.json" "$proof" 2>&1) && grep -q "OK" <<<"$out"; then
        echo "ok   $name: batch proof $i of $count: snarkjs groth16 verify"
      else
        echo "FAIL $name: batch proof $i of $count: snarkjs groth16 verify: $out"; fail=1
      fi
    done
    rm -rf "$tmp"
    if node - "$batch" "$lib" <<'JS'
const fs = require('fs');
const { proofWords } = require('./circuits/scripts/export-batch-fixture.js');
const [batchFile, libFile] = process.argv.slice(2);
const b = JSON.parse(fs.readFileSync(batchFile, 'utf8'));
const rows = [...fs.readFileSync(libFile, 'utf8').matchAll(/^\s*hex"([0-9a-f]*)"/gm)].map((m) => m[1]);
const expected = b.proofs.map((p, i) => [...proofWords(p), ...b.publicSignals[i].map(BigInt)]
  .map((v) => v.toString(16).padStart(64, '0')).join(''));
const distinct = new Set(b.publicSignals.map((s) => s.join(','))).size === b.publicSignals.length;
if (rows.length !== expected.length || rows.some((r, i) => r !== expected[i])) { console.error('library rows differ from batch.json'); process.exit(1); }
if (!distinct) { console.error('two batch proofs share their public inputs'); process.exit(1); }
JS
    then echo "ok   $name: RollupBatchBatchFixture.sol = batch.json ($count proofs, distinct public inputs)"
    else echo "FAIL $name: RollupBatchBatchFixture.sol"; fail=1; fi
  fi
done
exit $fail
