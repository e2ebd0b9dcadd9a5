#!/usr/bin/env node
// Computes a circom 2 witness: node circom-witness.js <circuit.wasm> <input.json> <out.wtns>
//
// This is ProverMarketChain's own runner for the witness generator that circom compiles to WebAssembly. It replaces the
// per-circuit JavaScript that circom emits next to the wasm, so that a worker needs only the registered (hashed) wasm:
// it never runs JavaScript fetched with a circuit. The wasm runs with nothing but the four runtime callbacks below.
//
// The circuit's ABI: inputs are addressed by the 64-bit FNV-1a hash of the signal name, values travel through a shared
// buffer of getFieldNumLen32() little-endian 32-bit words, setting the last input runs the circuit, and getWitness(i)
// then puts witness value i in that buffer. The output is the snarkjs .wtns format (version 2): a header section with
// the field size in bytes, the prime and the witness count, then the witness values, each little-endian.
'use strict';
const fs = require('fs');

function fail(message) {
  process.stderr.write(`Error: ${message}\n`);
  process.exit(1);
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = (1n << 64n) - 1n;

function fnv1a64(name) {
  let h = FNV_OFFSET;
  for (const byte of Buffer.from(name, 'utf8')) {
    h ^= BigInt(byte);
    h = (h * FNV_PRIME) & MASK64;
  }
  return h;
}

/** Flattens a (nested) input value into field elements, row-major, as circom lays out signal arrays. */
function flatten(name, value, prime, out) {
  if (Array.isArray(value)) {
    for (const v of value) flatten(name, v, prime, out);
    return out;
  }
  let n;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) fail(`input '${name}': ${value} is not an integer that JSON numbers hold exactly; pass it as a decimal string`);
    n = BigInt(value);
  } else if (typeof value === 'string') {
    const s = value.trim();
    if (!/^-?(0x[0-9a-fA-F]+|[0-9]+)$/.test(s)) fail(`input '${name}': '${value}' is not a decimal or 0x-hex integer`);
    n = s.startsWith('-') ? -BigInt(s.slice(1)) : BigInt(s);
  } else if (typeof value === 'boolean') n = value ? 1n : 0n;
  else fail(`input '${name}': a ${value === null ? 'null' : typeof value} is not a field element or an array of them`);
  n %= prime;
  if (n < 0n) n += prime;
  out.push(n);
  return out;
}

function main() {
  const [wasmPath, inputPath, outPath] = process.argv.slice(2);
  if (!outPath) fail('usage: circom-witness.js <circuit.wasm> <input.json> <out.wtns>');

  let wasm;
  try { wasm = fs.readFileSync(wasmPath); } catch (e) { fail(`${wasmPath}: ${e.message}`); }
  let input;
  let text;
  try { text = fs.readFileSync(inputPath, 'utf8'); } catch (e) { fail(`${inputPath}: ${e.message}`); }
  try { input = JSON.parse(text); } catch (e) { fail(`${inputPath} is not valid JSON (${e.message})`); }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) fail(`${inputPath}: the input must be a JSON object of signal names`);

  let module;
  try { module = new WebAssembly.Module(wasm); } catch (e) { fail(`${wasmPath}: not a WebAssembly module (${e.message})`); }
  const needed = ['getFieldNumLen32', 'getRawPrime', 'readSharedRWMemory', 'writeSharedRWMemory', 'init',
    'getInputSignalSize', 'setInputSignal', 'getWitnessSize', 'getWitness'];
  const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = needed.filter((n) => !exported.has(n));
  if (missing.length) fail(`${wasmPath}: not a circom 2 witness generator (missing exports ${missing.join(', ')})`);

  let instance;
  const messages = [];
  const readMessage = () => {
    let s = '';
    for (let c = instance.exports.getMessageChar(); c !== 0; c = instance.exports.getMessageChar()) s += String.fromCharCode(c);
    return s;
  };
  const reasons = {
    1: 'signal not found',
    2: 'too many values for an input signal',
    3: 'an input signal was set twice',
    4: 'Assert Failed: the input violates a constraint of the circuit',
    5: 'the witness generator ran out of memory',
    6: 'an input signal array index is out of bounds',
  };
  const runtime = {
    exceptionHandler(code) {
      const detail = messages.length ? ` (${messages.join(' ').trim()})` : '';
      throw new Error(`${reasons[code] || `circuit error ${code}`}${detail}`);
    },
    printErrorMessage() { if (instance.exports.getMessageChar) messages.push(readMessage()); },
    writeBufferMessage() { if (instance.exports.getMessageChar) process.stderr.write(readMessage()); },
    showSharedRWMemory() {},
  };
  // Any other import a newer circom may add is given a no-op, so an old runner still runs new circuits.
  const imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== 'function') continue;
    imports[imp.module] = imports[imp.module] || {};
    imports[imp.module][imp.name] = (imp.module === 'runtime' && runtime[imp.name]) || (() => {});
  }
  instance = new WebAssembly.Instance(module, imports);
  const x = instance.exports;

  const n32 = x.getFieldNumLen32();
  x.getRawPrime();
  let prime = 0n;
  for (let j = n32 - 1; j >= 0; j--) prime = (prime << 32n) | BigInt(x.readSharedRWMemory(j) >>> 0);
  x.init(0);

  let given = 0;
  for (const [name, value] of Object.entries(input)) {
    const h = fnv1a64(name);
    const hi = Number(h >> 32n), lo = Number(h & 0xffffffffn);
    const size = x.getInputSignalSize(hi, lo);
    if (size <= 0) fail(`'${name}' is not an input signal of the circuit (signal not found)`);
    const values = flatten(name, value, prime, []);
    if (values.length < size) fail(`Not enough values for input signal '${name}': ${values.length} given, ${size} expected`);
    if (values.length > size) fail(`Too many values for input signal '${name}': ${values.length} given, ${size} expected`);
    for (let i = 0; i < values.length; i++) {
      let v = values[i];
      for (let j = 0; j < n32; j++) {
        x.writeSharedRWMemory(j, Number(v & 0xffffffffn));
        v >>= 32n;
      }
      try {
        x.setInputSignal(hi, lo, i);
      } catch (e) {
        fail(`input signal '${name}'[${i}]: ${e.message}`);
      }
    }
    given += values.length;
  }
  if (x.getInputSize && given !== x.getInputSize()) {
    fail(`Not enough values: the input sets ${given} input values but the circuit has ${x.getInputSize()}`);
  }

  const count = x.getWitnessSize();
  const n8 = n32 * 4;
  const header = Buffer.alloc(4 + n8 + 4);
  header.writeUInt32LE(n8, 0);
  for (let j = 0; j < n32; j++) header.writeUInt32LE(Number((prime >> BigInt(32 * j)) & 0xffffffffn), 4 + 4 * j);
  header.writeUInt32LE(count, 4 + n8);
  const body = Buffer.alloc(count * n8);
  for (let i = 0; i < count; i++) {
    x.getWitness(i);
    for (let j = 0; j < n32; j++) body.writeUInt32LE(x.readSharedRWMemory(j) >>> 0, i * n8 + 4 * j);
  }

  const section = (type, data) => {
    const h = Buffer.alloc(12);
    h.writeUInt32LE(type, 0);
    h.writeBigUInt64LE(BigInt(data.length), 4);
    return [h, data];
  };
  const top = Buffer.alloc(12);
  top.write('wtns', 0, 'ascii');
  top.writeUInt32LE(2, 4);
  top.writeUInt32LE(2, 8);
  fs.writeFileSync(outPath, Buffer.concat([top, ...section(1, header), ...section(2, body)]));
}

try {
  main();
} catch (e) {
  fail(e.message);
}
