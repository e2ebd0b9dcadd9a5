'use strict';
// Tests for the JS tooling: Poseidon, the verifier exporter and the rollup input generator.
// Run: node --test circuits/scripts/
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { poseidon, P } = require('./poseidon.js');
const { render, ExportError } = require('../../tools/export-verifier.js');

const ROOT = path.join(__dirname, '..', '..');
const TEMPLATE = fs.readFileSync(path.join(ROOT, 'contracts', 'templates', 'Groth16Verifier.sol.tmpl'), 'utf8');
const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const fixtureVk = (name) =>
  JSON.parse(fs.readFileSync(path.join(ROOT, 'contracts', 'test', 'fixtures', name, 'verification_key.json'), 'utf8'));

test('poseidon matches the published circomlibjs vectors', () => {
  // Reference values from the circomlib/circomlibjs Poseidon test suites.
  assert.equal(poseidon([1n, 2n]), 7853200120776062878684798364095072458815029376092732009249414926327459813530n);
  assert.equal(poseidon([1n]), 18586133768512220936620570745912940619677854269274689475585506675881198879027n);
});

test('poseidon rejects inputs outside the field and bad arity', () => {
  assert.throws(() => poseidon([P]), /not in the scalar field/);
  assert.throws(() => poseidon([]), /expected 1\.\.16 inputs/);
  assert.throws(() => poseidon(new Array(17).fill(0n)), /expected 1\.\.16 inputs/);
});

test('export: one accumulate line per public input, G2 in EIP-197 order, no template residue', () => {
  const vk = fixtureVk('comparators');
  const sol = render(TEMPLATE, vk, 'C');
  assert.equal((sol.match(/^\s*accumulate\(vkx,/gm) || []).length, vk.nPublic);
  for (let i = 0; i < vk.nPublic; i++) {
    assert.ok(sol.includes(`accumulate(vkx, publicInputs.offset, ${i}, ${vk.IC[i + 1][0]}, ${vk.IC[i + 1][1]})`));
  }
  assert.ok(sol.includes(`BETA_X1 = ${vk.vk_beta_2[0][1]};`));
  assert.ok(sol.includes(`BETA_X0 = ${vk.vk_beta_2[0][0]};`));
  assert.ok(sol.includes(`DELTA_Y1 = ${vk.vk_delta_2[1][1]};`));
  assert.ok(sol.includes(`IC0_X = ${vk.IC[0][0]};`));
  assert.ok(sol.includes(`PUBLIC_INPUT_COUNT = ${vk.nPublic};`));
  assert.ok(sol.includes('contract C is IGroth16Verifier, IGroth16BatchVerifier'));
  assert.ok(!sol.includes('{{'));
  assert.ok(!/^\s*\/\/#/m.test(sol));
  assert.ok(sol.startsWith('// SPDX-License-Identifier: MIT\n'));
});

test('export: every IC block is expanded (verifyProof and verifyProofBatch), blocks must close and not nest', () => {
  const vk = fixtureVk('rollup_batch');
  const sol = render(TEMPLATE, vk, 'R');
  assert.equal((sol.match(/^\s*addMul\(pair,/gm) || []).length, vk.nPublic);
  for (let i = 0; i < vk.nPublic; i++) {
    assert.ok(sol.includes(`addMul(pair, ${vk.IC[i + 1][0]}, ${vk.IC[i + 1][1]}, mload(add(inputSums, shl(5, ${i}))))`));
  }
  assert.ok(sol.includes('contract R is IGroth16Verifier, IGroth16BatchVerifier'));
  assert.ok(sol.includes('function verifyProofBatch(uint256[8][] calldata proofs, uint256[][] calldata publicInputs)'));
  const two = '{{#EACH_IC}}\nA{{INDEX}}\n{{/EACH_IC}}\nmid\n{{#EACH_IC}}\nB{{INDEX}}\n{{/EACH_IC}}\n{{CONTRACT_NAME}}';
  assert.equal(render(two, vk, 'X'), 'A0\nA1\nA2\nmid\nB0\nB1\nB2\nX');
  assert.throws(() => render('{{#EACH_IC}}\nA\n{{#EACH_IC}}\nB\n{{/EACH_IC}}', vk, 'X'), /without its \{\{\/EACH_IC\}\}/);
  assert.throws(() => render('{{#EACH_IC}}\nA', vk, 'X'), /without its \{\{\/EACH_IC\}\}/);
  assert.throws(() => render('A\n{{/EACH_IC}}', vk, 'X'), /without \{\{#EACH_IC\}\}/);
});

test('export: a key without public inputs emits no accumulate line', () => {
  const vk = { ...fixtureVk('multiplier'), nPublic: 0 };
  vk.IC = [vk.IC[0]];
  const sol = render(TEMPLATE, vk, 'NoInputs');
  assert.equal((sol.match(/accumulate\(vkx,/g) || []).length, 0);
  assert.equal((sol.match(/addMul\(pair,/g) || []).length, 0);
  assert.ok(sol.includes('PUBLIC_INPUT_COUNT = 0;'));
});

test('export: invalid keys and names are refused with a clear message', () => {
  const base = () => JSON.parse(JSON.stringify(fixtureVk('multiplier')));
  const cases = [
    [(vk) => { vk.protocol = 'plonk'; }, /protocol/],
    [(vk) => { vk.curve = 'bls12381'; }, /curve/],
    [(vk) => { vk.nPublic = 5; }, /nPublic/],
    [(vk) => { vk.vk_alpha_1[0] = Q.toString(); }, /vk_alpha_1\[0\].*base field/],
    [(vk) => { vk.vk_alpha_1[1] = ((BigInt(vk.vk_alpha_1[1]) + 1n) % Q).toString(); }, /vk_alpha_1.*not on the BN254 G1 curve/],
    [(vk) => { vk.vk_beta_2[0] = [vk.vk_beta_2[0][1], vk.vk_beta_2[0][0]]; }, /vk_beta_2: not on the BN254 G2 twist/],
    [(vk) => { vk.vk_delta_2[2] = ['2', '0']; }, /vk_delta_2: not affine/],
    [(vk) => { vk.IC[1][2] = '0'; }, /IC\[1\]: not affine/],
    [(vk) => { vk.IC[0][0] = 'x12'; }, /IC\[0\]\[0\]: expected a decimal field element/],
    [(vk) => { vk.IC = []; }, /IC is missing or empty/],
  ];
  for (const [mutate, message] of cases) {
    const vk = base();
    mutate(vk);
    assert.throws(() => render(TEMPLATE, vk, 'V'), (err) => err instanceof ExportError && message.test(err.message));
  }
  assert.throws(() => render(TEMPLATE, base(), '1Bad'), /invalid contract name/);
  assert.throws(() => render(TEMPLATE.replace(/^\{\{[#/]EACH_IC\}\}$/gm, ''), base(), 'V'), /no \{\{#EACH_IC\}\}/);
  assert.throws(() => render(TEMPLATE.replace(/^\{\{#EACH_IC\}\}$/m, ''), base(), 'V'), /\{\{\/EACH_IC\}\} without \{\{#EACH_IC\}\}/);
  assert.throws(() => render(TEMPLATE + '\n{{MYSTERY}}\n', base(), 'V'), /unknown placeholder \{\{MYSTERY\}\}/);
});

test('export CLI: writes the file, names the contract after it by default, exits 1 on a bad key', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pmc-export-'));
  const vkPath = path.join(ROOT, 'contracts', 'test', 'fixtures', 'multiplier', 'verification_key.json');
  const out = path.join(dir, 'SomeVerifier.sol');
  execFileSync('node', [path.join(ROOT, 'tools', 'export-verifier.js'), vkPath, out], { stdio: 'pipe' });
  const committed = fs.readFileSync(path.join(ROOT, 'contracts', 'src', 'verifiers', 'MultiplierVerifier.sol'), 'utf8');
  assert.equal(fs.readFileSync(out, 'utf8'), committed.replaceAll('MultiplierVerifier', 'SomeVerifier'));
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ ...fixtureVk('multiplier'), curve: 'bls12381' }));
  assert.throws(() => execFileSync('node', [path.join(ROOT, 'tools', 'export-verifier.js'), bad, out], { stdio: 'pipe' }),
    (err) => err.status === 1 && /curve is 'bls12381'/.test(err.stderr.toString()));
});

test('rollup-input: deterministic per seed, public signals match the input', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pmc-rollup-'));
  const run = (seed, tag) => {
    const input = path.join(dir, `${tag}.json`);
    const pub = path.join(dir, `${tag}.public.json`);
    execFileSync('node', [path.join(__dirname, 'rollup-input.js'), '--seed', seed, '--out', input, '--public', pub], { stdio: 'pipe' });
    return { input: JSON.parse(fs.readFileSync(input, 'utf8')), pub: JSON.parse(fs.readFileSync(pub, 'utf8')) };
  };
  const a = run('s1', 'a');
  const b = run('s1', 'b');
  const c = run('s2', 'c');
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.pub, c.pub);
  assert.deepEqual(a.pub, [a.input.oldRoot, a.input.newRoot, a.input.batchHash]);
  // The first transfer's sender leaf and path hash up to the old root (an independent recomputation).
  let node = poseidon([a.input.senderOwner[0], a.input.senderBalance[0], a.input.senderNonce[0]].map(BigInt));
  const from = Number(a.input.from[0]);
  a.input.senderSiblings[0].forEach((sib, level) => {
    node = (from >> level) & 1 ? poseidon([BigInt(sib), node]) : poseidon([node, BigInt(sib)]);
  });
  assert.equal(node.toString(), a.input.oldRoot);
  for (let k = 0; k < a.input.amount.length; k++) {
    assert.ok(BigInt(a.input.amount[k]) <= BigInt(a.input.senderBalance[k]), 'generator must not overdraw');
  }
});
