// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IProverMarket} from "../../src/interfaces/IProverMarket.sol";
import {IProverMarketTypes} from "../../src/interfaces/IProverMarketTypes.sol";
import {IProofCallback} from "../../src/interfaces/IProofCallback.sol";

/// @title CallbackRequester
/// @notice A requester contract for the worker's tests: it submits requests to the market as itself (a request's
///         requester must be its submitter) and answers each request's `onProofFulfilled` as it was told at submission:
///         record the call, revert, burn all the gas it was given, or return a huge returndata (a bomb for a caller
///         that copies it). The deliverer pays the callback's gas in every case.
contract CallbackRequester is IProofCallback {
    /// @notice What `onProofFulfilled` does for a request.
    enum Behaviour {
        Record,
        Revert,
        BurnAll,
        HugeReturn
    }

    /// @notice The market this requester trusts to call it back.
    IProverMarket public immutable market;
    /// @notice Each request's behaviour, set at submission.
    mapping(bytes32 requestId => Behaviour) public behaviourOf;
    /// @notice How many callbacks completed (only `Record` completes).
    uint256 public recorded;
    /// @notice The request of the last completed callback.
    bytes32 public lastRequestId;

    /// @notice Someone other than the market called back.
    error NotMarket(address caller);
    /// @notice The `Revert` behaviour.
    error HostileCallback(bytes32 requestId);

    constructor(IProverMarket market_) {
        market = market_;
    }

    /// @notice Submits `request` (whose requester must be this contract) with the sent value as its escrow.
    function submit(
        IProverMarketTypes.Request calldata request,
        bytes calldata input,
        string calldata inputUri,
        uint256[] calldata publicInputs,
        Behaviour behaviour
    ) external payable returns (bytes32 requestId) {
        requestId = market.submitRequest{value: msg.value}(request, input, inputUri, publicInputs);
        behaviourOf[requestId] = behaviour;
    }

    /// @inheritdoc IProofCallback
    function onProofFulfilled(bytes32 requestId, uint256[] calldata) external {
        if (msg.sender != address(market)) revert NotMarket(msg.sender);
        Behaviour behaviour = behaviourOf[requestId];
        if (behaviour == Behaviour.Revert) revert HostileCallback(requestId);
        if (behaviour == Behaviour.BurnAll) {
            // Burns every unit of gas it was given (an invalid opcode consumes all remaining gas).
            assembly {
                invalid()
            }
        }
        if (behaviour == Behaviour.HugeReturn) {
            // Expands memory as far as about 100k gas allows and returns all of it: a caller that copies returndata
            // pays again for every byte.
            assembly {
                return(0, 200000)
            }
        }
        recorded += 1;
        lastRequestId = requestId;
    }

    /// @notice Takes refunds withdrawn from the market.
    receive() external payable {}

    /// @notice Withdraws this requester's refund balance from the market to itself.
    function withdraw(uint256 amount) external {
        market.withdraw(amount, address(this));
    }
}
