pragma circom 2.1.0;

include "lib/rollup.circom";

// Demo rollup instance: depth 6 (64 accounts), 2 transfers per batch.
// Public signals (snarkjs public.json order): [oldRoot, newRoot, batchHash].
// Keep DEPTH and BATCH in sync with circuits/scripts/rollup-input.js (it reads them from this line).
component main {public [oldRoot, newRoot, batchHash]} = RollupBatch(6, 2);
