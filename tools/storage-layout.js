#!/usr/bin/env node
'use strict';
// Storage layouts of the deployed contracts against the committed snapshot, snapshots/storage-layout.json.
//
// Usage: node tools/storage-layout.js [--check | --write]
//   --check (default): fails with a readable diff when a layout differs from the snapshot, and when ProverMarket and
//                      any of its delegates (ProverMarketExtension, ProverMarketViews, ProverMarketBatch) differ (each
//                      runs on the market's storage by DELEGATECALL, so every slot must mean the same in all).
//   --write:           rewrites the snapshot (`make layout`), after the same market/extension check.
// Each layout comes from `forge inspect <Contract> storageLayout --json`, normalised to what the layout is: per state
// variable its label, slot, offset and type, and per type its encoding, size and (structs) members. AST ids, which
// solc appends to struct, enum and contract type names and which change with any edit elsewhere, and source paths are
// dropped. forge inspect compiles with an output selection of its own, so it gets its own cache and artifacts
// folder: it would otherwise replace the entries of `forge build`, which would then recompile everything.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const SNAPSHOT = path.join(ROOT, 'snapshots', 'storage-layout.json');
const CONTRACTS = ['ProverMarket', 'ProverMarketExtension', 'ProverMarketViews', 'ProverMarketBatch', 'CollateralVault', 'CircuitRegistry', 'AskBook'];
const SHARED = ['ProverMarket', 'ProverMarketExtension', 'ProverMarketViews', 'ProverMarketBatch'];
const FORGE = process.env.FORGE || path.join(ROOT, 'node_modules', '.bin', 'forge');
const WORK = path.join('cache', 'storage-layout');

class LayoutError extends Error {}

function inspect(name) {
  let out;
  try {
    out = execFileSync(
      FORGE,
      ['inspect', name, 'storageLayout', '--json', '--cache-path', path.join(WORK, 'cache'), '--out', path.join(WORK, 'out')],
      { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 },
    );
  } catch (err) {
    throw new LayoutError(`forge inspect ${name} storageLayout failed:\n${err.stderr || err.message}`);
  }
  return JSON.parse(out);
}

/// `t_struct(Params)5649_storage` -> `t_struct(Params)_storage`; likewise enums and contracts.
function typeName(t) {
  return t.replace(/\(([A-Za-z0-9_$.]+)\)\d+/g, '($1)');
}

function variable(v) {
  return { label: v.label, slot: v.slot, offset: v.offset, type: typeName(v.type) };
}

function normalise(name, raw) {
  const types = {};
  for (const [id, t] of Object.entries(raw.types || {})) {
    const n = { label: t.label, encoding: t.encoding, numberOfBytes: t.numberOfBytes };
    if (t.key) n.key = typeName(t.key);
    if (t.value) n.value = typeName(t.value);
    if (t.base) n.base = typeName(t.base);
    if (t.members) n.members = t.members.map(variable);
    const key = typeName(id);
    if (types[key] && JSON.stringify(types[key]) !== JSON.stringify(n)) {
      throw new LayoutError(`${name}: two different types both normalise to ${key}`);
    }
    types[key] = n;
  }
  const sorted = {};
  for (const key of Object.keys(types).sort()) sorted[key] = types[key];
  return { storage: (raw.storage || []).map(variable), types: sorted };
}

/// One line per variable and per struct member, each carrying its position, so a set difference is a readable diff.
function lines(name, layout) {
  const out = [];
  const at = name ? `${name}: ` : '';
  for (const v of layout.storage) out.push(`${at}slot ${v.slot} offset ${v.offset}: ${v.label} ${v.type}`);
  for (const [id, t] of Object.entries(layout.types)) {
    const extra = [t.key && `key ${t.key}`, t.value && `value ${t.value}`, t.base && `base ${t.base}`].filter(Boolean);
    out.push(`${at}type ${id}: ${t.encoding}, ${t.numberOfBytes} bytes${extra.length ? ', ' + extra.join(', ') : ''}`);
    for (const m of t.members || []) {
      out.push(`${at}type ${id}: member slot ${m.slot} offset ${m.offset}: ${m.label} ${m.type}`);
    }
  }
  return out;
}

function diff(expected, actual) {
  const a = new Set(expected);
  const b = new Set(actual);
  return [...expected.filter((l) => !b.has(l)).map((l) => `  - ${l}`), ...actual.filter((l) => !a.has(l)).map((l) => `  + ${l}`)];
}

function main() {
  const mode = process.argv[2] || '--check';
  if (mode !== '--check' && mode !== '--write') throw new LayoutError(`usage: storage-layout.js [--check | --write]`);
  const current = {};
  for (const name of CONTRACTS) current[name] = normalise(name, inspect(name));

  const problems = [];
  const [market, ...delegates] = SHARED;
  for (const extension of delegates) {
    const shared = diff(lines('', current[market]), lines('', current[extension]));
    if (shared.length) {
      problems.push(`${market} and ${extension} must have the same storage layout (DELEGATECALL); - ${market}, + ${extension}:`, ...shared);
    }
  }

  if (mode === '--write') {
    if (problems.length) throw new LayoutError(problems.join('\n'));
    fs.writeFileSync(SNAPSHOT, JSON.stringify(current, null, 2) + '\n');
    console.log(`storage layout: wrote ${path.relative(ROOT, SNAPSHOT)} (${CONTRACTS.join(', ')})`);
    return;
  }

  if (!fs.existsSync(SNAPSHOT)) throw new LayoutError(`${path.relative(ROOT, SNAPSHOT)} is missing; run make layout`);
  const snapshot = JSON.parse(fs.readFileSync(SNAPSHOT, 'utf8'));
  for (const name of new Set([...Object.keys(snapshot), ...CONTRACTS])) {
    if (!snapshot[name]) {
      problems.push(`${name}: not in the snapshot`);
      continue;
    }
    if (!current[name]) {
      problems.push(`${name}: in the snapshot but no longer checked`);
      continue;
    }
    const d = diff(lines(name, snapshot[name]), lines(name, current[name]));
    if (d.length) problems.push(`${name}: storage layout differs from the snapshot (- snapshot, + now):`, ...d);
  }
  if (problems.length) {
    throw new LayoutError(
      `${problems.join('\n')}\nIf the change is intended (and ${market}Base.STORAGE_LAYOUT is bumped where the ` +
        `market's layout changed), run make layout and commit ${path.relative(ROOT, SNAPSHOT)}.`,
    );
  }
  console.log(`storage layout: ${CONTRACTS.join(', ')} match ${path.relative(ROOT, SNAPSHOT)}`);
}

try {
  main();
} catch (err) {
  if (!(err instanceof LayoutError)) throw err;
  console.error(`storage layout: ${err.message}`);
  process.exit(1);
}
