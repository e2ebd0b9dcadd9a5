'use strict';
// Poseidon over the BN254 scalar field, computed exactly as circomlib 2.0.5's PoseidonEx template does
// (the optimised "S/P matrix" form), with the round constants read from circomlib's own
// poseidon_constants.circom, so the JS and the circuit cannot drift apart. Used by the input generators.
const fs = require('fs');
const path = require('path');

const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const N_ROUNDS_F = 8;
const N_ROUNDS_P = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];

const constantsFile = path.join(__dirname, '..', '..', 'node_modules', 'circomlib', 'circuits', 'poseidon_constants.circom');
let source = null;
const cache = new Map();

function functionBody(name) {
  if (source === null) source = fs.readFileSync(constantsFile, 'utf8');
  const start = source.indexOf(`function ${name}(t)`);
  if (start < 0) throw new Error(`poseidon: ${name} not found in ${constantsFile}`);
  const next = source.indexOf('\nfunction ', start + 1);
  return source.slice(start, next < 0 ? source.length : next);
}

// The hex literals of the branch `t == <t>` of a constants function, in source order.
function branch(name, t) {
  const body = functionBody(name);
  const re = new RegExp(`t\\s*==\\s*${t}\\s*\\)`);
  const m = re.exec(body);
  if (!m) throw new Error(`poseidon: ${name} has no branch for t=${t}`);
  const rest = body.slice(m.index + m[0].length);
  const end = rest.search(/\}\s*else/);
  const text = end < 0 ? rest : rest.slice(0, end);
  return (text.match(/0x[0-9a-fA-F]+/g) || []).map((h) => BigInt(h));
}

function params(t) {
  if (!cache.has(t)) {
    const square = (flat) => {
      if (flat.length !== t * t) throw new Error(`poseidon: matrix for t=${t} has ${flat.length} entries`);
      return Array.from({ length: t }, (_, r) => flat.slice(r * t, (r + 1) * t));
    };
    const nRoundsP = N_ROUNDS_P[t - 2];
    const C = branch('POSEIDON_C', t);
    const S = branch('POSEIDON_S', t);
    if (C.length !== t * N_ROUNDS_F + nRoundsP) throw new Error(`poseidon: C for t=${t} has ${C.length} entries`);
    if (S.length !== nRoundsP * (2 * t - 1)) throw new Error(`poseidon: S for t=${t} has ${S.length} entries`);
    cache.set(t, { C, S, M: square(branch('POSEIDON_M', t)), Pm: square(branch('POSEIDON_P', t)), nRoundsP });
  }
  return cache.get(t);
}

const mod = (x) => ((x % P) + P) % P;
const pow5 = (x) => { const x2 = (x * x) % P; return (((x2 * x2) % P) * x) % P; };

// out[i] = sum_j M[j][i] * in[j], as circomlib's Mix.
function mix(state, M) {
  const t = state.length;
  const out = new Array(t);
  for (let i = 0; i < t; i++) {
    let acc = 0n;
    for (let j = 0; j < t; j++) acc += M[j][i] * state[j];
    out[i] = acc % P;
  }
  return out;
}

/** Poseidon hash of 1..16 field elements (BigInt or decimal/hex strings), as circomlib Poseidon(n). */
function poseidon(inputs) {
  if (!Array.isArray(inputs) || inputs.length < 1 || inputs.length > 16) {
    throw new Error(`poseidon: expected 1..16 inputs, got ${Array.isArray(inputs) ? inputs.length : typeof inputs}`);
  }
  const t = inputs.length + 1;
  const { C, S, M, Pm, nRoundsP } = params(t);
  let state = [0n, ...inputs.map((v) => {
    const x = BigInt(v);
    if (x < 0n || x >= P) throw new Error(`poseidon: input ${v} is not in the scalar field`);
    return x;
  })];
  const half = N_ROUNDS_F / 2;
  state = state.map((x, j) => mod(x + C[j]));
  for (let r = 0; r < half - 1; r++) {
    state = state.map((x, j) => mod(pow5(x) + C[(r + 1) * t + j]));
    state = mix(state, M);
  }
  state = state.map((x, j) => mod(pow5(x) + C[half * t + j]));
  state = mix(state, Pm);
  for (let r = 0; r < nRoundsP; r++) {
    const s0 = mod(pow5(state[0]) + C[(half + 1) * t + r]);
    const base = (2 * t - 1) * r;
    let out0 = 0n;
    for (let i = 0; i < t; i++) out0 += S[base + i] * (i === 0 ? s0 : state[i]);
    const next = new Array(t);
    next[0] = out0 % P;
    for (let i = 1; i < t; i++) next[i] = mod(state[i] + s0 * S[base + t + i - 1]);
    state = next;
  }
  for (let r = 0; r < half - 1; r++) {
    state = state.map((x, j) => mod(pow5(x) + C[(half + 1) * t + nRoundsP + r * t + j]));
    state = mix(state, M);
  }
  state = state.map(pow5);
  let out = 0n;
  for (let j = 0; j < t; j++) out += M[j][0] * state[j];
  return out % P;
}

module.exports = { poseidon, P };
