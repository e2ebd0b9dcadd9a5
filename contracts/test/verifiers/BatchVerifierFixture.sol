// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {IGroth16Verifier} from "contracts/src/interfaces/IGroth16Verifier.sol";
import {IGroth16BatchVerifier} from "contracts/src/interfaces/IGroth16BatchVerifier.sol";
import {RollupBatchVerifier} from "contracts/src/verifiers/RollupBatchVerifier.sol";
import {RollupBatchBatchFixture} from "contracts/test/fixtures/RollupBatchBatchFixture.sol";

/// @notice RollupBatchVerifier with the 32-proof batch fixture, BN254 precompile helpers, the committed verification
///         key (read from its JSON, independently of the Solidity verifier) and a replica of verifyProofBatch's
///         weights, for the batch verification tests and attacks.
abstract contract BatchVerifierFixture is Test {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
    string internal constant VK_PATH = "contracts/test/fixtures/rollup_batch/verification_key.json";

    event log_named_uint(string key, uint256 val);

    /// @dev The verifier under test; both interfaces of one contract.
    RollupBatchVerifier internal verifier;

    /// @dev The verification key: G1 points as (x, y), G2 points in EIP-197 order (x.c1, x.c0, y.c1, y.c0).
    struct Key {
        uint256[2] alpha;
        uint256[4] beta;
        uint256[4] gamma;
        uint256[4] delta;
        uint256[2][] ic;
    }

    function setUp() public virtual {
        verifier = new RollupBatchVerifier();
    }

    // ---------------------------------------------------------------- batches

    function _batch(uint256 n) internal pure returns (uint256[8][] memory proofs, uint256[][] memory inputs) {
        return RollupBatchBatchFixture.batchProofs(n);
    }

    function _invalidAt(uint256 index) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IGroth16BatchVerifier.InvalidProofAt.selector, index);
    }

    function _callBatch(uint256 gasLimit, uint256[8][] memory proofs, uint256[][] memory inputs)
        internal
        view
        returns (bool ok, bytes memory data)
    {
        (ok, data) = address(verifier).staticcall{gas: gasLimit}(
            abi.encodeCall(IGroth16BatchVerifier.verifyProofBatch, (proofs, inputs))
        );
    }

    /// @dev Proof i's C moved by k * G: a valid curve point, an invalid proof.
    function _shiftC(uint256[8] memory p, uint256 k) internal view {
        (uint256 x, uint256 y) = _g1Mul(1, 2, k);
        (p[6], p[7]) = _g1Add(p[6], p[7], x, y);
    }

    // ---------------------------------------------------------------- BN254 precompiles

    function _g1Add(uint256 ax, uint256 ay, uint256 bx, uint256 by) internal view returns (uint256 x, uint256 y) {
        (bool ok, bytes memory out) = address(0x06).staticcall(abi.encode(ax, ay, bx, by));
        assertTrue(ok, "ecAdd failed in test helper");
        (x, y) = abi.decode(out, (uint256, uint256));
    }

    function _g1Mul(uint256 x, uint256 y, uint256 s) internal view returns (uint256 rx, uint256 ry) {
        (bool ok, bytes memory out) = address(0x07).staticcall(abi.encode(x, y, s));
        assertTrue(ok, "ecMul failed in test helper");
        (rx, ry) = abi.decode(out, (uint256, uint256));
    }

    function _neg(uint256 y) internal pure returns (uint256) {
        return y == 0 ? 0 : Q - y;
    }

    /// @dev s^-1 mod R by the modexp precompile (s != 0).
    function _invR(uint256 s) internal view returns (uint256) {
        (bool ok, bytes memory out) = address(0x05).staticcall(abi.encodePacked(uint256(32), uint256(32), uint256(32), s, R - 2, R));
        assertTrue(ok, "modexp failed in test helper");
        return abi.decode(out, (uint256));
    }

    /// @dev ecPairing over the concatenated (G1, G2) pairs; true when the product is 1.
    function _pairingHolds(bytes memory pairs) internal view returns (bool) {
        (bool ok, bytes memory out) = address(0x08).staticcall(pairs);
        assertTrue(ok, "ecPairing failed in test helper");
        return abi.decode(out, (uint256)) == 1;
    }

    // ---------------------------------------------------------------- the key, from its JSON

    function _key() internal view returns (Key memory k) {
        string memory json = vm.readFile(VK_PATH);
        uint256[] memory a = vm.parseJsonUintArray(json, ".vk_alpha_1");
        k.alpha = [a[0], a[1]];
        k.beta = _g2(json, ".vk_beta_2");
        k.gamma = _g2(json, ".vk_gamma_2");
        k.delta = _g2(json, ".vk_delta_2");
        uint256 n = verifier.publicInputCount() + 1;
        k.ic = new uint256[2][](n);
        for (uint256 i; i < n; ++i) {
            uint256[] memory p = vm.parseJsonUintArray(json, string.concat(".IC[", vm.toString(i), "]"));
            k.ic[i] = [p[0], p[1]];
        }
    }

    /// @dev snarkjs writes G2 as [[x.c0, x.c1], [y.c0, y.c1], [1, 0]]; EIP-197 wants the imaginary part first.
    function _g2(string memory json, string memory key) private pure returns (uint256[4] memory g) {
        uint256[] memory x = vm.parseJsonUintArray(json, string.concat(key, "[0]"));
        uint256[] memory y = vm.parseJsonUintArray(json, string.concat(key, "[1]"));
        g = [x[1], x[0], y[1], y[0]];
    }

    /// @dev vk_x = IC[0] + sum_j inputs[j] IC[j+1].
    function _vkx(Key memory k, uint256[] memory inputs) internal view returns (uint256[2] memory v) {
        v = k.ic[0];
        for (uint256 j; j < inputs.length; ++j) v = _addWeighted(v, k.ic[j + 1], inputs[j]);
    }

    /// @dev The combined check with weights chosen here (not the verifier's):
    ///      prod_i e(-w_i A_i, B_i) * e(W alpha, beta) * e(sum w_i vk_x_i, gamma) * e(sum w_i C_i, delta) == 1.
    function _combinedCheckHolds(uint256[8][] memory proofs, uint256[][] memory inputs, uint256[] memory w)
        internal
        view
        returns (bool)
    {
        Key memory k = _key();
        bytes memory pairs;
        uint256[2] memory l; // sum w_i vk_x_i (starts at the point at infinity (0, 0))
        uint256[2] memory c; // sum w_i C_i
        uint256 total;
        for (uint256 i; i < proofs.length; ++i) {
            pairs = bytes.concat(pairs, _weightedPair(proofs[i], w[i]));
            l = _addWeighted(l, _vkx(k, inputs[i]), w[i]);
            c = _addWeighted(c, [proofs[i][6], proofs[i][7]], w[i]);
            total = addmod(total, w[i], R);
        }
        uint256[2] memory a = _addWeighted([uint256(0), 0], k.alpha, total);
        pairs = bytes.concat(pairs, abi.encode(a[0], a[1], k.beta[0], k.beta[1], k.beta[2], k.beta[3]));
        pairs = bytes.concat(pairs, abi.encode(l[0], l[1], k.gamma[0], k.gamma[1], k.gamma[2], k.gamma[3]));
        pairs = bytes.concat(pairs, abi.encode(c[0], c[1], k.delta[0], k.delta[1], k.delta[2], k.delta[3]));
        return _pairingHolds(pairs);
    }

    /// @dev (-(w A), B) as pairing input.
    function _weightedPair(uint256[8] memory p, uint256 w) private view returns (bytes memory) {
        (uint256 ax, uint256 ay) = _g1Mul(p[0], p[1], w);
        return abi.encode(ax, _neg(ay), p[2], p[3], p[4], p[5]);
    }

    /// @dev acc + w * point.
    function _addWeighted(uint256[2] memory acc, uint256[2] memory point, uint256 w)
        private
        view
        returns (uint256[2] memory sum)
    {
        (uint256 x, uint256 y) = _g1Mul(point[0], point[1], w);
        (sum[0], sum[1]) = _g1Add(acc[0], acc[1], x, y);
    }

    /// @dev verifyProofBatch's weights, recomputed from its documentation: r_0 = 1, r_i = high 128 bits of
    ///      keccak256(abi.encode(seed, i)) (1 if 0), seed = keccak256 of the call's arguments (canonically encoded).
    function _verifierWeights(uint256[8][] memory proofs, uint256[][] memory inputs)
        internal
        pure
        returns (uint256[] memory w)
    {
        bytes32 seed = keccak256(abi.encode(proofs, inputs));
        w = new uint256[](proofs.length);
        w[0] = 1;
        for (uint256 i = 1; i < proofs.length; ++i) {
            w[i] = uint256(keccak256(abi.encode(seed, i))) >> 128;
            if (w[i] == 0) w[i] = 1;
        }
    }

    /// @dev A fresh copy (assigning a memory array only copies its reference).
    function _copy(uint256[8] memory p) internal pure returns (uint256[8] memory c) {
        for (uint256 i; i < 8; ++i) c[i] = p[i];
    }

    function _ones(uint256 n) internal pure returns (uint256[] memory w) {
        w = new uint256[](n);
        for (uint256 i; i < n; ++i) w[i] = 1;
    }
}
