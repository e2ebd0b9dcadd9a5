pragma circom 2.1.0;

include "lib/poseidon_chain.circom";

// Small instance for tests: 2 Poseidon(2) rounds.
// Public signals (snarkjs public.json order): [out, salt].
component main {public [salt]} = PoseidonChain(2);
