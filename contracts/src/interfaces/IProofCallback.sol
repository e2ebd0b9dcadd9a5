// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IProofCallback
/// @notice Implemented by a requester (a rollup, a bridge) that wants the market to tell it when one of its requests is
///         fulfilled. The market calls it on `request.requester` with exactly `request.callbackGasLimit` gas, after the
///         proof is verified and the prover paid.
/// @dev A callback that reverts or runs out of gas does not undo the delivery: the prover is paid and the market emits
///      `CallbackFailed`. A requester must therefore never depend on the callback alone; `requestState` shows the
///      request as `Fulfilled`, with public inputs that matched `publicInputsHash`. An implementation must check that
///      `msg.sender` is the market it trusts: anyone can call this function.
interface IProofCallback {
    /// @notice The proof of `requestId` was verified against `publicInputs` (which hash to the request's
    ///         `publicInputsHash`) and the prover was paid.
    function onProofFulfilled(bytes32 requestId, uint256[] calldata publicInputs) external;
}
