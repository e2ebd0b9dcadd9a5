pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";

// PoseidonChain(N): out = H(...H(H(seed, salt), salt)..., salt), N applications of circomlib Poseidon(2).
// seed is private, salt is public. Each Poseidon(2) costs 240 constraints, so the size scales linearly with N:
// that is how the benchmark instance reaches 2^16 constraints.
template PoseidonChain(N) {
    assert(N >= 1);
    signal input seed;
    signal input salt;
    signal output out;

    component h[N];
    signal acc[N + 1];
    acc[0] <== seed;
    for (var i = 0; i < N; i++) {
        h[i] = Poseidon(2);
        h[i].inputs[0] <== acc[i];
        h[i].inputs[1] <== salt;
        acc[i + 1] <== h[i].out;
    }
    out <== acc[N];
}
