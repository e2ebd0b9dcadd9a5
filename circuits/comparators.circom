pragma circom 2.1.0;

include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/bitify.circom";

// comparators: a 64-bit range statement using circomlib Num2Bits, LessThan, GreaterEqThan and IsEqual.
// Private value v; public bounds lower and upper (all range-checked to 64 bits, as LessThan(64) requires).
// Outputs inRange = (lower <= v < upper) and atLower = (v == lower).
// Public signals (snarkjs public.json order): [inRange, atLower, lower, upper].
template RangeCheck(n) {
    signal input value;
    signal input lower;
    signal input upper;
    signal output inRange;
    signal output atLower;

    component valueBits = Num2Bits(n);
    valueBits.in <== value;
    component lowerBits = Num2Bits(n);
    lowerBits.in <== lower;
    component upperBits = Num2Bits(n);
    upperBits.in <== upper;

    component geLower = GreaterEqThan(n);
    geLower.in[0] <== value;
    geLower.in[1] <== lower;
    component ltUpper = LessThan(n);
    ltUpper.in[0] <== value;
    ltUpper.in[1] <== upper;
    inRange <== geLower.out * ltUpper.out;

    component eq = IsEqual();
    eq.in[0] <== value;
    eq.in[1] <== lower;
    atLower <== eq.out;
}

component main {public [lower, upper]} = RangeCheck(64);
