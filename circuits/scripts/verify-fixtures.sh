#!/usr/bin/env bash
# Cross-checks the committed Foundry fixtures against snarkjs, independently of the Solidity verifier:
#   1. `snarkjs groth16 verify` accepts contracts/test/fixtures/<name>/{verification_key,public,proof}.json;
#   2. the proof words in contracts/test/fixtures/<Name>Fixture.sol are exactly those of
#      `snarkjs zkey export soliditycalldata` (so the G2 coordinate order is the one snarkjs' own verifier uses),
#      and its public inputs are public.json;
#   3. contracts/src/verifiers/<Name>Verifier.sol is what tools/export-verifier.js renders from the committed key
#      with the current template (no drift between template, key and committed verifier).
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
done
exit $fail
