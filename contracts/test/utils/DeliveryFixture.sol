// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketFixture} from "./MarketFixture.sol";
import {IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";

/// @notice Builds requests assigned to one prover in every form `fulfill` (and `fulfillBatch`) accepts, all for the
///         fixture's circuit, so that the same set can be delivered one by one or in a batch.
abstract contract DeliveryFixture is MarketFixture {
    /// @dev How a request came to be assigned to the prover.
    enum Kind {
        /// A sealed auction it won, not settled yet (`fulfill` settles it); p3 bid too, so a second score sets the pay.
        Sealed,
        /// The same, settled explicitly before the delivery.
        SealedSettled,
        /// A sealed auction with `OnMiss.RunnerUp` it won against a kept runner-up (p3), whose bond is released at the
        /// delivery.
        SealedWithRunnerUp,
        /// A sealed auction whose winner (p2) was slashed: the prover, kept as runner-up, took the job over (plain form).
        RunnerUpTakeover,
        /// A Dutch lock whose ramp started at `minFee` (the prover is packed into the core slot).
        DutchLocked,
        /// A Dutch lock whose ramp started at the reserve (`minFee` 0: the price is stored beside the slot).
        DutchStored,
        /// A standing-ask match the prover accepted.
        StandingAsk
    }

    /// @dev Fee each bidder bids in the sealed kinds; the prover bids `SEALED_FEE` with latency 100.
    uint96 internal constant SEALED_FEE = 0.05 ether;
    uint96 internal constant SECOND_FEE = 0.07 ether;
    uint96 internal constant WINNER_FEE = 0.04 ether;

    /// @dev `callbackGasLimit` of the requests `_assignedTo` builds.
    uint32 internal _callbackGasForNextRequests;

    /// @dev Requests of `kinds`, assigned to `prover`, built in phases so that no deadline passes while later ones are
    ///      built: every sealed auction is submitted, bid on and revealed together, then the Dutch and standing-ask ones.
    ///      Bids use lane `i` (the request's index) of each bidder. `requester_` must be able to submit (an EOA with ETH,
    ///      or a `MockRequester` through `_submitAs`).
    function _assignedTo(address prover, Kind[] memory kinds, address requester_)
        internal
        returns (T.Request[] memory rs, bytes32[] memory ids)
    {
        uint256 n = kinds.length;
        rs = new T.Request[](n);
        ids = new bytes32[](n);
        bool anySealed;
        for (uint256 i; i < n; ++i) {
            if (kinds[i] > Kind.RunnerUpTakeover) continue;
            anySealed = true;
            T.Request memory r = _req(T.Mode.SealedBid);
            r.requester = requester_;
            r.callbackGasLimit = _callbackGasForNextRequests;
            if (kinds[i] == Kind.SealedWithRunnerUp || kinds[i] == Kind.RunnerUpTakeover) {
                r.onMiss = T.OnMiss.RunnerUp;
            }
            rs[i] = r;
            ids[i] = _submitAs(r);
            uint8 lane = uint8(i);
            if (kinds[i] == Kind.RunnerUpTakeover) {
                _commit(r, p2, WINNER_FEE, 10, lane);
                _commit(r, prover, SEALED_FEE, 100, lane);
            } else {
                _commit(r, prover, SEALED_FEE, 100, lane);
                _commit(r, p3, SECOND_FEE, 100, lane);
            }
        }
        if (anySealed) {
            T.Request memory first;
            for (uint256 i; i < n; ++i) {
                if (kinds[i] <= Kind.RunnerUpTakeover) {
                    first = rs[i];
                    break;
                }
            }
            _toReveal(first);
            for (uint256 i; i < n; ++i) {
                if (kinds[i] > Kind.RunnerUpTakeover) continue;
                uint8 lane = uint8(i);
                if (kinds[i] == Kind.RunnerUpTakeover) {
                    _reveal(rs[i], p2, WINNER_FEE, 10, lane);
                    _reveal(rs[i], prover, SEALED_FEE, 100, lane);
                } else {
                    _reveal(rs[i], prover, SEALED_FEE, 100, lane);
                    _reveal(rs[i], p3, SECOND_FEE, 100, lane);
                }
            }
            // Past the winner's deadline in the takeover kind (revealDeadline + 10), within everyone else's (+ 100).
            vm.warp(uint256(first.revealDeadline) + 11);
            for (uint256 i; i < n; ++i) {
                if (kinds[i] == Kind.SealedSettled) market.settle(rs[i]);
                if (kinds[i] == Kind.RunnerUpTakeover) market.slash(rs[i]);
            }
        }
        for (uint256 i; i < n; ++i) {
            Kind k = kinds[i];
            if (k == Kind.DutchLocked || k == Kind.DutchStored) {
                T.Request memory r = _req(T.Mode.Dutch);
                r.requester = requester_;
                r.callbackGasLimit = _callbackGasForNextRequests;
                if (k == Kind.DutchStored) r.minFee = 0;
                rs[i] = r;
                ids[i] = _submitAs(r);
                vm.prank(prover);
                market.lockDutch(r);
            } else if (k == Kind.StandingAsk) {
                _ensureAsk(prover);
                T.Request memory r = _req(T.Mode.StandingAsk);
                r.requester = requester_;
                r.callbackGasLimit = _callbackGasForNextRequests;
                rs[i] = r;
                ids[i] = _submitAs(r);
                vm.prank(prover);
                market.acceptMatch(r);
            }
        }
    }

    /// @dev Submits `r` as its requester (pranked: an EOA, or a contract address standing in for its own call).
    function _submitAs(T.Request memory r) internal returns (bytes32 id) {
        if (r.requester.balance < r.maxFee) vm.deal(r.requester, r.requester.balance + 100 ether);
        vm.prank(r.requester);
        id = market.submitRequest{value: r.maxFee}(r, "input", "", pubs);
    }

    /// @dev `prover` lists an ask on the fixture's circuit (once), with room for many jobs.
    function _ensureAsk(address prover) internal {
        if (book.askOf(circuitId, prover).capacity != 0) return;
        vm.prank(prover);
        book.postAsk(circuitId, 50_000, 600, 64, 0, 2 ether, uint40(block.timestamp + 7 days), address(0));
    }

    /// @dev One of every kind.
    function _everyKind() internal pure returns (Kind[] memory kinds) {
        kinds = new Kind[](7);
        for (uint256 i; i < 7; ++i) {
            kinds[i] = Kind(i);
        }
    }

    /// @dev Valid proofs and public inputs for `n` requests (all with the fixture's `pubs`).
    function _batchArgs(uint256 n) internal view returns (uint256[8][] memory proofs, uint256[][] memory inputs) {
        proofs = new uint256[8][](n);
        inputs = new uint256[][](n);
        for (uint256 i; i < n; ++i) {
            proofs[i] = _proof();
            inputs[i] = pubs;
        }
    }
}
