// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttackFixture} from "./AttackFixture.sol";
import {IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";

/// @notice Attack 5: pumping the reserve price with submissions that are never delivered.
contract ReserveAttacksTest is AttackFixture {
    function setUp() public override {
        super.setUp();
        market.setReserveParams(1 hours, 1_000, 1e12, uint56(UNITS)); // target: one job's units per hour
        market.setCircuitTarget(circuitId, uint56(UNITS));
    }

    /// @dev Attack 5 as reviewed: about 1,300 submit-and-cancel pairs raised the reserve from 0.001 to 0.111 ETH per
    ///      job over a few periods, for gas alone. Now only fulfilled work is booked: 1,300 pairs over 13 periods leave
    ///      the reserve where it was.
    function test_attack_reservePump() public {
        uint256 start = market.feeState(circuitId).reservePerUnit;
        vm.deal(requester, 200 ether);
        for (uint256 period; period < 13; ++period) {
            for (uint256 i; i < 100; ++i) {
                T.Request memory r = _req(T.Mode.Dutch);
                _submit(r);
                vm.prank(requester);
                market.cancelRequest(r);
            }
            vm.warp(block.timestamp + 1 hours);
        }
        _submit(_req(T.Mode.Dutch)); // rolls the period
        T.FeeState memory f = market.feeState(circuitId);
        assertEq(f.reservePerUnit, start, "1,300 cancelled submissions moved nothing");
        assertEq(f.usedUnits, 0);
    }

    /// @dev Bound on what an attacker's spend moves: any mix of submissions that are cancelled, expire (Dutch, open
    ///      race, sealed with or without unrevealed shill bids) or are never served, across any number of periods and
    ///      with any escrow `k` wei, never moves the reserve: it only moves on delivered work, which needs a valid
    ///      proof and pays the fee (and the protocol fee) for every unit it books.
    function testFuzz_attack_reserveMoveBoundedBySpend(uint96 k, uint8 n, uint256 seed) public {
        k = uint96(bound(k, UNITS * 1_000, 1 ether)); // maxFee per request, at least the reserve
        uint256 count = bound(n, 1, 40);
        vm.deal(requester, uint256(k) * count + 1 ether);
        uint256 start = market.feeState(circuitId).reservePerUnit;
        for (uint256 i; i < count; ++i) {
            uint256 s = uint256(keccak256(abi.encode(seed, i)));
            T.Mode mode = T.Mode(s % 4 == 2 ? 3 : s % 4); // no standing asks posted: those revert at submission
            T.Request memory r = _req(mode);
            r.maxFee = k;
            if (mode == T.Mode.SealedBid) r.minCollateral = k;
            vm.prank(requester);
            market.submitRequest{value: k}(r, "input", "", pubs);
            if (mode == T.Mode.SealedBid && s % 3 == 0) _commit(r, shill, 1, 1, uint8(i)); // a shill, never revealed
            if (mode == T.Mode.Dutch && s % 2 == 0) {
                vm.prank(requester);
                market.cancelRequest(r);
            } else {
                vm.warp(block.timestamp + uint256(r.revealDeadline) - block.timestamp + r.provingWindow + 1);
                market.expire(r);
            }
            vm.warp(block.timestamp + (s >> 128) % 3 hours);
        }
        _submit(_req(T.Mode.Dutch));
        assertEq(market.feeState(circuitId).reservePerUnit, start, "k wei of undelivered requests moved nothing");
    }

    /// @dev Delivered work does move the reserve (the mechanism still works), at most 12.5% per period.
    function test_attack_deliveredWorkMovesReserveAtMostOneEighth() public {
        uint256 start = market.feeState(circuitId).reservePerUnit;
        for (uint256 i; i < 5; ++i) {
            T.Request memory r = _req(T.Mode.OpenRace);
            bytes32 id = _submit(r);
            _deliverTwoStep(r, id, p1);
        }
        vm.warp(block.timestamp + 1 hours);
        _submit(_req(T.Mode.Dutch));
        assertEq(market.feeState(circuitId).reservePerUnit, start + start / 8, "5x target: +12.5%, no more");
    }
}
