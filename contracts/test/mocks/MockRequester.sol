// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IProverMarket, IProverMarketTypes} from "../../src/interfaces/IProverMarket.sol";
import {IProofCallback} from "../../src/interfaces/IProofCallback.sol";

/// @notice A requester contract (a rollup) with a configurable `onProofFulfilled`: it records what it was told and what
///         it saw of the market, or misbehaves (reverts, burns its gas, returns or reverts with a huge buffer, calls back
///         into the market). It submits its own requests (`submitRequest` requires the requester to be the sender).
contract MockRequester is IProofCallback {
    enum Behaviour {
        Record,
        Revert,
        BurnGas,
        ReturnBomb,
        RevertBomb,
        Reenter,
        /// Makes the re-entry, then reverts (so the re-entry is undone with the callback).
        ReenterThenRevert
    }

    IProverMarket public immutable market;
    Behaviour public behaviour;
    /// @dev Reenter: the call made from the callback (to `reenterTarget`).
    address public reenterTarget;
    bytes public reenterCall;
    /// @dev Bomb size in bytes (return or revert data).
    uint256 public bombSize = 400_000;

    uint256 public calls;
    bytes32 public lastId;
    bytes32 public lastInputsHash;
    address public lastCaller;
    /// @dev gasleft() at the first statement of the callback (after the dispatcher and argument decoding).
    uint256 public gasAtEntry;
    /// @dev What the callback saw of the market: the request's status and the prover's balance (`watchProver`).
    IProverMarketTypes.Status public statusSeen;
    address public watchProver;
    uint256 public proverBalanceSeen;
    /// @dev Reenter: whether the call succeeded and what it returned or reverted with.
    bool public reenterOk;
    bytes public reenterResult;

    constructor(IProverMarket market_) {
        market = market_;
    }

    receive() external payable {}

    function setBehaviour(Behaviour b) external {
        behaviour = b;
    }

    function setReenter(address target, bytes calldata data) external {
        if (behaviour != Behaviour.ReenterThenRevert) behaviour = Behaviour.Reenter;
        reenterTarget = target;
        reenterCall = data;
    }

    function setBombSize(uint256 size) external {
        bombSize = size;
    }

    function setWatchProver(address prover) external {
        watchProver = prover;
    }

    /// @notice Submits `r` (its requester must be this contract) with `maxFee` from this contract's balance.
    function submit(IProverMarketTypes.Request calldata r, uint256[] calldata publicInputs) external returns (bytes32) {
        return market.submitRequest{value: r.maxFee}(r, "input", "", publicInputs);
    }

    /// @notice Any call from this contract (a requester acting as a prover, a withdrawal, a cancellation).
    function execute(address target, uint256 value, bytes calldata data) external returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call{value: value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }

    function onProofFulfilled(bytes32 requestId, uint256[] calldata publicInputs) external {
        uint256 g = gasleft();
        Behaviour b = behaviour;
        if (b == Behaviour.Revert) revert("callback refuses");
        if (b == Behaviour.BurnGas) {
            while (true) {}
        }
        if (b == Behaviour.ReturnBomb || b == Behaviour.RevertBomb) {
            uint256 size = bombSize;
            bool reverts = b == Behaviour.RevertBomb;
            assembly ("memory-safe") {
                if reverts { revert(0, size) }
                return(0, size)
            }
        }
        ++calls;
        gasAtEntry = g;
        lastId = requestId;
        lastInputsHash = keccak256(abi.encodePacked(publicInputs));
        lastCaller = msg.sender;
        statusSeen = market.requestState(requestId).status;
        if (watchProver != address(0)) proverBalanceSeen = market.balanceOf(watchProver);
        if (b == Behaviour.Reenter || b == Behaviour.ReenterThenRevert) {
            (reenterOk, reenterResult) = reenterTarget.call(reenterCall);
            if (b == Behaviour.ReenterThenRevert) revert("callback refuses after its re-entry");
        }
    }
}
