#!/usr/bin/env node
'use strict';
// Fills contracts/templates/Groth16Verifier.sol.tmpl from a snarkjs Groth16 verification key.
//
// Usage: node tools/export-verifier.js <verification_key.json> <Out.sol> [ContractName]
//   ContractName defaults to the output file name without `.sol`.
// The substitution rules are documented at the top of the template; `pmc export verifier` (C#) applies the same
// rules, so both produce byte-identical contracts for the same key. The key is validated first: protocol groth16,
// curve bn128, affine coordinates below the base field, every point on its curve, nPublic == IC length - 1.
const fs = require('fs');
const path = require('path');

const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const TEMPLATE = path.join(__dirname, '..', 'contracts', 'templates', 'Groth16Verifier.sol.tmpl');

class ExportError extends Error {}

function field(value, what) {
  let x;
  try {
    if (typeof value !== 'string' && typeof value !== 'number') throw new Error();
    x = BigInt(value);
  } catch {
    throw new ExportError(`${what}: expected a decimal field element, got ${JSON.stringify(value)}`);
  }
  if (x < 0n || x >= Q) throw new ExportError(`${what}: ${x} is not below the BN254 base field order`);
  return x;
}

const fmul = (a, b) => (a * b) % Q;
const fadd = (a, b) => (a + b) % Q;
// Fp2 = Fp[u]/(u^2 + 1), elements [c0, c1].
const f2mul = ([a0, a1], [b0, b1]) => [((a0 * b0 - a1 * b1) % Q + Q) % Q, (a0 * b1 + a1 * b0) % Q];
const f2add = ([a0, a1], [b0, b1]) => [(a0 + b0) % Q, (a1 + b1) % Q];
// G2 twist coefficient b' = 3 / (9 + u).
const B2 = [19485874751759354771024239261021720505790618469301721065564631296452457478373n,
  266929791119991161246907387137283842545076965332900288569378510910307636690n];

function g1(point, what) {
  if (!Array.isArray(point) || point.length !== 3) throw new ExportError(`${what}: expected [x, y, z]`);
  const [x, y, z] = point.map((v, i) => field(v, `${what}[${i}]`));
  if (z !== 1n) throw new ExportError(`${what}: not affine (z = ${z}); export the key with snarkjs`);
  if (!(x === 0n && y === 0n) && fmul(y, y) !== fadd(fmul(fmul(x, x), x), 3n)) {
    throw new ExportError(`${what}: (${x}, ${y}) is not on the BN254 G1 curve`);
  }
  return { x, y };
}

function g2(point, what) {
  const ok = Array.isArray(point) && point.length === 3 && point.every((c) => Array.isArray(c) && c.length === 2);
  if (!ok) throw new ExportError(`${what}: expected [[x.c0, x.c1], [y.c0, y.c1], [z.c0, z.c1]]`);
  const [x, y, z] = point.map((c, i) => c.map((v, j) => field(v, `${what}[${i}][${j}]`)));
  if (z[0] !== 1n || z[1] !== 0n) throw new ExportError(`${what}: not affine (z = [${z}])`);
  const lhs = f2mul(y, y);
  const rhs = f2add(f2mul(f2mul(x, x), x), B2);
  if (lhs[0] !== rhs[0] || lhs[1] !== rhs[1]) throw new ExportError(`${what}: not on the BN254 G2 twist`);
  // EIP-197 order: imaginary part (c1) first.
  return { x1: x[1], x0: x[0], y1: y[1], y0: y[0] };
}

/** Renders the template for a parsed snarkjs verification key. Exported for tests. */
function render(template, vk, contractName) {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(contractName)) throw new ExportError(`invalid contract name '${contractName}'`);
  if (vk.protocol !== 'groth16') throw new ExportError(`protocol is '${vk.protocol}', expected 'groth16'`);
  if (vk.curve !== 'bn128') throw new ExportError(`curve is '${vk.curve}', expected 'bn128' (BN254)`);
  if (!Array.isArray(vk.IC) || vk.IC.length < 1) throw new ExportError('IC is missing or empty');
  const n = vk.IC.length - 1;
  if (vk.nPublic !== undefined && Number(vk.nPublic) !== n) {
    throw new ExportError(`nPublic is ${vk.nPublic} but IC has ${vk.IC.length} points (expected nPublic + 1)`);
  }
  const alpha = g1(vk.vk_alpha_1, 'vk_alpha_1');
  const beta = g2(vk.vk_beta_2, 'vk_beta_2');
  const gamma = g2(vk.vk_gamma_2, 'vk_gamma_2');
  const delta = g2(vk.vk_delta_2, 'vk_delta_2');
  const ic = vk.IC.map((p, i) => g1(p, `IC[${i}]`));

  // Rule 1: drop template comment lines.
  let lines = template.split('\n').filter((line) => !line.trimStart().startsWith('//#'));
  // Rule 2: expand every IC block, from the top.
  const expanded = [];
  let blocks = 0;
  for (let at = 0; at < lines.length; at++) {
    if (lines[at].trim() === '{{/EACH_IC}}') throw new ExportError('template: {{/EACH_IC}} without {{#EACH_IC}}');
    if (lines[at].trim() !== '{{#EACH_IC}}') { expanded.push(lines[at]); continue; }
    const close = lines.findIndex((l, i) => i > at && (l.trim() === '{{/EACH_IC}}' || l.trim() === '{{#EACH_IC}}'));
    if (close < 0 || lines[close].trim() !== '{{/EACH_IC}}') throw new ExportError('template: {{#EACH_IC}} without its {{/EACH_IC}} (blocks do not nest)');
    const body = lines.slice(at + 1, close);
    for (let i = 0; i < n; i++) {
      const values = { INDEX: String(i), IC_X: ic[i + 1].x.toString(), IC_Y: ic[i + 1].y.toString() };
      for (const line of body) expanded.push(line.replace(/\{\{(INDEX|IC_X|IC_Y)\}\}/g, (_, k) => values[k]));
    }
    blocks++;
    at = close;
  }
  if (blocks === 0) throw new ExportError('template: no {{#EACH_IC}} ... {{/EACH_IC}} block');
  lines = expanded;
  // Rule 3: plain placeholders.
  const values = {
    CONTRACT_NAME: contractName,
    PUBLIC_INPUT_COUNT: String(n),
    ALPHA_X: alpha.x, ALPHA_Y: alpha.y,
    BETA_X1: beta.x1, BETA_X0: beta.x0, BETA_Y1: beta.y1, BETA_Y0: beta.y0,
    GAMMA_X1: gamma.x1, GAMMA_X0: gamma.x0, GAMMA_Y1: gamma.y1, GAMMA_Y0: gamma.y0,
    DELTA_X1: delta.x1, DELTA_X0: delta.x0, DELTA_Y1: delta.y1, DELTA_Y0: delta.y0,
    IC0_X: ic[0].x, IC0_Y: ic[0].y,
  };
  const out = lines.join('\n').replace(/\{\{([A-Z0-9_]+)\}\}/g, (whole, k) => {
    if (!(k in values)) throw new ExportError(`template: unknown placeholder ${whole}`);
    return values[k].toString();
  });
  // Rule 5.
  if (out.includes('{{')) throw new ExportError('template: a placeholder was left unfilled');
  return out;
}

function main(argv) {
  if (argv.length < 2 || argv.length > 3) {
    process.stderr.write('usage: node tools/export-verifier.js <verification_key.json> <Out.sol> [ContractName]\n');
    return 2;
  }
  const [vkPath, outPath] = argv;
  const contractName = argv[2] ?? path.basename(outPath).replace(/\.sol$/, '');
  let vk;
  try {
    vk = JSON.parse(fs.readFileSync(vkPath, 'utf8'));
  } catch (err) {
    throw new ExportError(`cannot read verification key ${vkPath}: ${err.message}`);
  }
  const solidity = render(fs.readFileSync(TEMPLATE, 'utf8'), vk, contractName);
  fs.mkdirSync(path.dirname(path.resolve(outPath)), { recursive: true });
  fs.writeFileSync(outPath, solidity);
  process.stderr.write(`export-verifier: wrote ${contractName} (${vk.IC.length - 1} public inputs) to ${outPath}\n`);
  return 0;
}

module.exports = { render, ExportError };

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`export-verifier: ${err.message}\n`);
    process.exitCode = err instanceof ExportError ? 1 : 3;
  }
}
