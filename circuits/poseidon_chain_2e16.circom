pragma circom 2.1.0;

include "lib/poseidon_chain.circom";

// Benchmark instance: 273 Poseidon(2) rounds = 65,520 constraints, which with the 2 public signals and the
// constant-one row fills the 2^16 evaluation domain (65,523 of 65,536 rows): the "2^16 constraints" benchmark.
// Public signals (snarkjs public.json order): [out, salt].
component main {public [salt]} = PoseidonChain(273);
