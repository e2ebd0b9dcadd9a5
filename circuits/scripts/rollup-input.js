#!/usr/bin/env node
'use strict';
// Generates a valid input.json for circuits/rollup_batch.circom: a random genesis state of 2^DEPTH accounts and a
// random batch of BATCH transfers, plus the expected public signals [oldRoot, newRoot, batchHash].
//
// Usage: node circuits/scripts/rollup-input.js [--seed S] [--out input.json] [--public expected_public.json]
//                                              [--state state.json]
//   --seed    deterministic randomness (any string; default "pmc-rollup-demo"); use --seed random for fresh entropy.
//   --out     where to write the circuit input (default: stdout).
//   --public  where to write the expected public signals (default: not written; they are also printed on stderr).
//   --state   optionally write the account table before and after the batch (for demos and debugging).
// DEPTH and BATCH are read from the `RollupBatch(D, K)` instantiation in circuits/rollup_batch.circom.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { poseidon, P } = require('./poseidon.js');

function parseArgs(argv) {
  const args = { seed: 'pmc-rollup-demo' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (!['--seed', '--out', '--public', '--state'].includes(flag)) throw new Error(`rollup-input: unknown argument '${flag}'`);
    if (value === undefined) throw new Error(`rollup-input: ${flag} needs a value`);
    args[flag.slice(2)] = value;
    i++;
  }
  return args;
}

function circuitShape() {
  const file = path.join(__dirname, '..', 'rollup_batch.circom');
  const m = /RollupBatch\(\s*(\d+)\s*,\s*(\d+)\s*\)/.exec(fs.readFileSync(file, 'utf8'));
  if (!m) throw new Error(`rollup-input: no RollupBatch(D, K) instantiation in ${file}`);
  return { depth: Number(m[1]), batch: Number(m[2]) };
}

// Deterministic byte stream: SHA-256(seed || counter).
function makeRng(seed) {
  const key = seed === 'random' ? crypto.randomBytes(32).toString('hex') : seed;
  let counter = 0;
  const bits = (n) => {
    let out = 0n;
    let have = 0;
    while (have < n) {
      const block = crypto.createHash('sha256').update(`${key}/${counter++}`).digest();
      out = (out << 256n) | BigInt('0x' + block.toString('hex'));
      have += 256;
    }
    return out >> BigInt(have - n);
  };
  // Uniform in [0, bound) by rejection sampling.
  const below = (bound) => {
    bound = BigInt(bound);
    if (bound <= 0n) throw new Error('rollup-input: empty range');
    const n = bound.toString(2).length;
    for (;;) {
      const x = bits(n);
      if (x < bound) return x;
    }
  };
  return { bits, below };
}

class Tree {
  constructor(depth, leaves) {
    this.depth = depth;
    this.levels = [leaves.slice()];
    for (let l = 0; l < depth; l++) {
      const below = this.levels[l];
      const above = [];
      for (let i = 0; i < below.length; i += 2) above.push(poseidon([below[i], below[i + 1]]));
      this.levels.push(above);
    }
  }
  get root() { return this.levels[this.depth][0]; }
  siblings(index) {
    const out = [];
    for (let l = 0; l < this.depth; l++) out.push(this.levels[l][(index >> l) ^ 1]);
    return out;
  }
  update(index, leaf) {
    this.levels[0][index] = leaf;
    let i = index;
    for (let l = 0; l < this.depth; l++) {
      i >>= 1;
      this.levels[l + 1][i] = poseidon([this.levels[l][2 * i], this.levels[l][2 * i + 1]]);
    }
  }
}

const leafOf = (a) => poseidon([a.owner, a.balance, a.nonce]);
const str = (x) => (Array.isArray(x) ? x.map(str) : x.toString());

/**
 * Builds a random genesis and batch for seed. With overdraw (for negative tests only), the first transfer moves one
 * unit more than its sender holds and the sender's balance wraps around the field, as an unchecked circuit would let
 * it: the input is then consistent in every respect except the 64-bit range check.
 */
function generate(seed, { overdraw = false } = {}) {
  const { depth, batch } = circuitShape();
  const rng = makeRng(seed);
  const size = 1 << depth;

  const accounts = Array.from({ length: size }, () => ({
    owner: rng.bits(248),
    balance: rng.below(1n << 40n),
    nonce: rng.below(1000n),
  }));
  const genesis = accounts.map((a) => ({ ...a }));
  const tree = new Tree(depth, accounts.map(leafOf));
  const oldRoot = tree.root;

  const input = {
    oldRoot: 0n, newRoot: 0n, batchHash: 0n,
    from: [], to: [], amount: [],
    senderOwner: [], senderBalance: [], senderNonce: [], senderSiblings: [],
    receiverOwner: [], receiverBalance: [], receiverNonce: [], receiverSiblings: [],
  };
  let batchHash = 0n;
  for (let k = 0; k < batch; k++) {
    const from = Number(rng.below(BigInt(size)));
    let to = Number(rng.below(BigInt(size - 1)));
    if (to >= from) to++; // distinct accounts (the circuit also accepts from == to)
    const sender = accounts[from];
    const amount = overdraw && k === 0 ? sender.balance + 1n : rng.below(sender.balance + 1n);

    input.from.push(from);
    input.to.push(to);
    input.amount.push(amount);
    input.senderOwner.push(sender.owner);
    input.senderBalance.push(sender.balance);
    input.senderNonce.push(sender.nonce);
    input.senderSiblings.push(tree.siblings(from));
    batchHash = poseidon([batchHash, BigInt(from), BigInt(to), amount, sender.nonce]);

    sender.balance = (sender.balance - amount + P) % P;
    sender.nonce += 1n;
    tree.update(from, leafOf(sender));

    const receiver = accounts[to];
    input.receiverOwner.push(receiver.owner);
    input.receiverBalance.push(receiver.balance);
    input.receiverNonce.push(receiver.nonce);
    input.receiverSiblings.push(tree.siblings(to));
    receiver.balance += amount;
    if (receiver.balance >= 1n << 64n) throw new Error('rollup-input: receiver balance overflow (cannot happen with 40-bit genesis balances)');
    tree.update(to, leafOf(receiver));
  }
  input.oldRoot = oldRoot;
  input.newRoot = tree.root;
  input.batchHash = batchHash;
  return {
    depth, batch, genesis, accounts,
    input: Object.fromEntries(Object.entries(input).map(([k, v]) => [k, str(v)])),
    publicSignals: [oldRoot, tree.root, batchHash].map(str),
  };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const { depth, batch, genesis, accounts, input, publicSignals } = generate(args.seed);
  const inputJson = JSON.stringify(input, null, 1) + '\n';
  if (args.out) fs.writeFileSync(args.out, inputJson); else process.stdout.write(inputJson);
  if (args.public) fs.writeFileSync(args.public, JSON.stringify(publicSignals, null, 1) + '\n');
  if (args.state) {
    const table = (xs) => xs.map((a) => ({ owner: str(a.owner), balance: str(a.balance), nonce: str(a.nonce) }));
    fs.writeFileSync(args.state, JSON.stringify({ depth, batch, before: table(genesis), after: table(accounts) }, null, 1) + '\n');
  }
  process.stderr.write(`rollup-input: depth ${depth}, ${batch} transfers; public [oldRoot, newRoot, batchHash] = ${JSON.stringify(publicSignals)}\n`);
}

module.exports = { generate };

if (require.main === module) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
