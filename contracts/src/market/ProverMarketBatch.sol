// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ProverMarketBase} from "./ProverMarketBase.sol";
import {ICircuitRegistry} from "../interfaces/ICircuitRegistry.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IAskBook} from "../interfaces/IAskBook.sol";
import {IProverMarket} from "../interfaces/IProverMarket.sol";
import {IGroth16BatchVerifier} from "../interfaces/IGroth16BatchVerifier.sol";

/// @title ProverMarketBatch
/// @notice `fulfillBatch` of the prover market: several deliveries of one prover for one circuit, verified together.
///         Only meaningful when DELEGATECALLed by `ProverMarket` (its fallback forwards `fulfillBatch` here); called
///         directly it acts on its own empty storage, where no request exists.
/// @dev Each request goes through the same `_deliver` as `fulfill`; what a delivery owes beyond its own slot (the
///      deliverer's and the treasury's balances, the reserve booking, the job collateral) is summed and written once
///      per batch, and the proofs are checked by one `verifyProofBatch` call.
contract ProverMarketBatch is ProverMarketBase {
    /// @dev What the batch owes beyond each request's own slot and refund, written once at the end: the deliverer's
    ///      share of the fees, the protocol fees, and job collateral to give back to the deliverer in `assetId` (a
    ///      request in another asset first returns what is held: batches are expected to use one asset).
    struct Totals {
        uint256 share;
        uint256 protocolFees;
        uint256 collateral;
        uint8 assetId;
        IAskBook book;
    }

    constructor(ICircuitRegistry registry_, ICollateralVault vault_) ProverMarketBase(address(0), registry_, vault_) {}

    /// @notice See `IProverMarket`.
    /// @dev Each request goes through `fulfill`'s `_deliver`: the same checks, state and events. Reentrancy: as
    ///      `fulfill` (see `ProverMarket`): every request is Fulfilled (a final status that no function changes) and
    ///      everything is paid before the first callback runs, and nothing is written after the callbacks.
    function fulfillBatch(Request[] calldata requests, uint256[8][] calldata proofs, uint256[][] calldata publicInputs)
        external
    {
        uint256 n = requests.length;
        if (n == 0 || n > MAX_BATCH || proofs.length != n || publicInputs.length != n) {
            revert BatchSizeInvalid(n, proofs.length, publicInputs.length);
        }
        uint32 circuitId = _circuitIdOf(requests[0]);
        address verifier = _verifierOf(requests[0]);
        bytes memory verification = _verificationCall(requests, proofs, publicInputs, circuitId, verifier);
        Totals memory t;
        for (uint256 i; i < n; ++i) {
            _deliverInto(t, requests[i]);
        }
        _checkVerifierCode(verifier);
        // `verifyProofBatch` is a view: STATICCALL. It never returns false; its revert (`InvalidProofAt(i)`) is passed on.
        assembly ("memory-safe") {
            if iszero(staticcall(gas(), verifier, add(verification, 0x20), mload(verification), 0, 0)) {
                let m := mload(0x40)
                returndatacopy(m, 0, returndatasize())
                revert(m, returndatasize())
            }
        }
        _credit(msg.sender, t.share, t.protocolFees);
        _bookUnits(circuitId, n);
        if (t.collateral != 0) _returnCollateral(msg.sender, t.assetId, t.collateral);
        // Every request is final and paid: now the callbacks.
        for (uint256 i; i < n; ++i) {
            Request calldata r = requests[i];
            if (_callbackGasLimitOf(r) != 0) _callback(_idOf(r), r, publicInputs[i]);
        }
    }

    /// @dev Checks that every request is for `circuitId` and `verifier` (`BatchMixesCircuits`) and that its public inputs
    ///      hash to its `publicInputsHash` (`PublicInputsMismatchAt`), and writes the calldata of
    ///      `verifyProofBatch(proofs, publicInputs)` as it goes, without the ABI encoder (which walks every list word by
    ///      word): the proofs are one block of `n` * 256 bytes, and each list of public inputs is copied from where this
    ///      call's decoder found it (so the verifier checks exactly the inputs hashed here) and hashed in place.
    /// @return data `verifyProofBatch`'s selector and arguments, canonically encoded.
    function _verificationCall(
        Request[] calldata requests,
        uint256[8][] calldata proofs,
        uint256[][] calldata publicInputs,
        uint32 circuitId,
        address verifier
    ) internal pure returns (bytes memory data) {
        uint256 n = requests.length;
        bytes4 selector = IGroth16BatchVerifier.verifyProofBatch.selector;
        uint256 lists; // where the publicInputs argument starts (its length word)
        uint256 cursor; // the end of what is written
        assembly ("memory-safe") {
            data := mload(0x40)
            let args := add(data, 0x24) // after the length word and the selector
            mstore(add(data, 0x20), selector)
            let proofBytes := shl(8, n)
            mstore(args, 0x40) // proofs: right after the two head words
            mstore(add(args, 0x20), add(0x60, proofBytes)) // publicInputs: after proofs' length word and words
            mstore(add(args, 0x40), n)
            calldatacopy(add(args, 0x60), proofs.offset, proofBytes)
            lists := add(add(args, 0x60), proofBytes)
            mstore(lists, n)
            cursor := add(add(lists, 0x20), shl(5, n)) // after the n offsets
            mstore(0x40, cursor)
        }
        for (uint256 i; i < n; ++i) {
            Request calldata r = requests[i];
            if (_circuitIdOf(r) != circuitId || _verifierOf(r) != verifier) revert BatchMixesCircuits(i);
            uint256[] calldata inputs = publicInputs[i];
            bytes32 h;
            assembly ("memory-safe") {
                // Offset i, relative to the start of the offsets (after the length word).
                mstore(add(add(lists, 0x20), shl(5, i)), sub(cursor, add(lists, 0x20)))
                let size := shl(5, inputs.length)
                mstore(cursor, inputs.length)
                calldatacopy(add(cursor, 0x20), inputs.offset, size)
                h := keccak256(add(cursor, 0x20), size)
                cursor := add(add(cursor, 0x20), size)
                mstore(0x40, cursor)
            }
            if (h != _publicInputsHashOf(r)) revert PublicInputsMismatchAt(i);
        }
        assembly ("memory-safe") {
            mstore(data, sub(cursor, add(data, 0x20)))
        }
    }

    /// @dev One request of the batch: `_deliver` (a request listed twice is Fulfilled when it is seen again, so the
    ///      batch reverts with `WrongStatus`), its earnings and job collateral added to `t`, a standing ask restored.
    function _deliverInto(Totals memory t, Request calldata r) internal {
        (, uint96 fee, uint256 protocolFee) = _deliver(r);
        // protocolFee <= fee < 2^96 (see `_pay`), and a batch sums at most MAX_BATCH of each.
        unchecked {
            t.share += fee - protocolFee;
            t.protocolFees += protocolFee;
        }
        uint256 collateral = _minCollateralOf(r);
        if (collateral != 0) {
            uint8 assetId = _assetIdOf(r);
            if (t.collateral != 0 && t.assetId != assetId) {
                _returnCollateral(msg.sender, t.assetId, t.collateral);
                t.collateral = 0;
            }
            t.assetId = assetId;
            // Each below 2^96, at most MAX_BATCH of them.
            unchecked {
                t.collateral += collateral;
            }
        }
        if (_modeOf(r) == Mode.StandingAsk) {
            // The market's immutable, read through its getter once (this code has no copy, like the extension's).
            if (address(t.book) == address(0)) t.book = IAskBook(IProverMarket(address(this)).askBook());
            t.book.restore(_circuitIdOf(r), msg.sender);
        }
    }
}
