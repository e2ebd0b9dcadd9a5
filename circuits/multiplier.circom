pragma circom 2.1.0;

// multiplier: the smallest useful circuit, for fast end-to-end tests.
// Proves knowledge of a non-trivial factorisation c = a * b (a != 1, b != 1) and publishes d = c^2 + b.
// Public signals (snarkjs public.json order): [c, d].
// Constraints: 4.

template Multiplier() {
    signal input a;
    signal input b;
    signal output c;
    signal output d;

    c <== a * b;
    d <== c * c + b;

    // a != 1 and b != 1: (x - 1) has an inverse.
    signal aMinusOneInv;
    signal bMinusOneInv;
    aMinusOneInv <-- 1 / (a - 1);
    bMinusOneInv <-- 1 / (b - 1);
    (a - 1) * aMinusOneInv === 1;
    (b - 1) * bMinusOneInv === 1;
}

component main = Multiplier();
