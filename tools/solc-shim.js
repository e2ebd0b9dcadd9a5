#!/usr/bin/env node
// Offline stand-in for the native solc binary, backed by the npm `solc` package (solc-js).
// forge calls it with `--version` and with `--standard-json` (input on stdin, output on stdout);
// it may add path flags (--allow-paths, --base-path, --include-path), which are honoured for imports.
'use strict';
const fs = require('fs');
const path = require('path');

let solc;
try {
  solc = require(path.join(__dirname, '..', 'node_modules', 'solc'));
} catch (err) {
  process.stderr.write(`solc shim: the npm package 'solc' is not installed (${err.message}); run 'make setup'\n`);
  process.exit(2);
}

const args = process.argv.slice(2);

if (args.includes('--version') || args.includes('-v')) {
  // Same shape as native solc, which forge parses for the "Version:" line.
  const v = solc.version().replace('.Emscripten.clang', '.Linux.g++');
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${v}\n`);
  process.exit(0);
}

if (!args.includes('--standard-json')) {
  process.stderr.write(`solc shim: only --version and --standard-json are supported (got: ${args.join(' ') || 'no arguments'})\n`);
  process.exit(2);
}

const roots = [process.cwd()];
for (let i = 0; i < args.length; i++) {
  if (['--base-path', '--include-path', '--allow-paths'].includes(args[i]) && args[i + 1]) {
    for (const p of args[i + 1].split(',')) roots.push(path.resolve(p));
    i++;
  }
}

function findImports(importPath) {
  for (const root of roots) {
    const candidate = path.isAbsolute(importPath) ? importPath : path.join(root, importPath);
    if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, 'utf8') };
  }
  return { error: `File not found: ${importPath} (searched ${roots.join(', ')})` };
}

const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const input = Buffer.concat(chunks).toString('utf8');
  const output = solc.compile(input, { import: findImports });
  process.stdout.write(output);
});
