'use strict';
// Negative tests of circuits/rollup_batch.circom at the witness level (no setup needed): the circuit accepts the
// generator's batch and refuses an overdraft (64-bit range check), a wrong new root and a wrong batch hash.
// Compiles the circuit's witness calculator into circuits/build/test/ first (a few seconds).
// Run: node --test circuits/scripts/
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { generate } = require('./rollup-input.js');

const ROOT = path.join(__dirname, '..', '..');
const OUT = path.join('circuits', 'build', 'test');

function compile() {
  fs.mkdirSync(path.join(ROOT, OUT), { recursive: true });
  // circom2 (WASI) follows no symlink out of its working directory: run it from / with absolute paths, so a
  // node_modules linked from elsewhere (a git worktree) resolves.
  const abs = path.resolve(ROOT);
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'circom2'),
    [path.join(abs, 'circuits', 'rollup_batch.circom'), '--wasm', '-o', path.join(abs, OUT), '-l', path.join(abs, 'node_modules')],
    { cwd: '/', stdio: 'pipe' });
  return path.join(ROOT, OUT, 'rollup_batch_js');
}

/** Runs the witness calculator; returns '' on success or its error output. */
function witness(jsDir, input, tag) {
  const inputFile = path.join(ROOT, OUT, `${tag}.json`);
  fs.writeFileSync(inputFile, JSON.stringify(input));
  try {
    execFileSync('node', [path.join(jsDir, 'generate_witness.js'), path.join(jsDir, 'rollup_batch.wasm'), inputFile,
      path.join(ROOT, OUT, `${tag}.wtns`)], { stdio: 'pipe' });
    return '';
  } catch (err) {
    return `${err.stdout}${err.stderr}` || 'failed';
  }
}

test('rollup_batch: accepts a valid batch, refuses overdraft, wrong root and wrong batch hash', () => {
  const jsDir = compile();
  const valid = generate('circuit-test').input;
  assert.equal(witness(jsDir, valid, 'valid'), '');

  const overdraft = generate('circuit-test', { overdraw: true }).input;
  const overdraftError = witness(jsDir, overdraft, 'overdraft');
  // The failing constraint is Num2Bits' reconstruction, inside the sender's range check of lib/rollup.circom.
  const lib = fs.readFileSync(path.join(ROOT, 'circuits', 'lib', 'rollup.circom'), 'utf8').split('\n');
  const senderRangeLine = lib.findIndex((l) => l.includes('senderRange.in <== senderNewBalance')) + 1;
  assert.match(overdraftError, /Error in template Num2Bits_\d+ line/, 'an overdraft must fail a 64-bit range check');
  assert.match(overdraftError, new RegExp(`Error in template Transfer_\\d+ line: ${senderRangeLine}\\b`),
    "the failing range check must be the sender's");

  const wrongRoot = { ...valid, newRoot: (BigInt(valid.newRoot) + 1n).toString() };
  assert.match(witness(jsDir, wrongRoot, 'wrong-root'), /RollupBatch/);

  const wrongHash = { ...valid, batchHash: (BigInt(valid.batchHash) + 1n).toString() };
  assert.match(witness(jsDir, wrongHash, 'wrong-hash'), /RollupBatch/);

  const wrongAmount = { ...valid, amount: [(BigInt(valid.amount[0]) + 1n).toString(), valid.amount[1]] };
  assert.notEqual(witness(jsDir, wrongAmount, 'wrong-amount'), '');
});
