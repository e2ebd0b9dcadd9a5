// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AttackFixture} from "./AttackFixture.sol";
import {IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";

/// @notice Review findings against the standing-ask matcher. Each test asserts the behaviour the fix should give and
///         fails on the current contracts.
contract AskScanAttacksTest is AttackFixture {
    /// @dev Finding 1: 8 asks that are backed (0.01 ETH of free vault balance each, never locked, never at risk) but
    ///      can never fit any request (maxLatency above MAX_WINDOW, so `maxLatency <= provingWindow` never holds) sit at
    ///      the head of the book at price 0 and used up the scan budget (MAX_MATCH_SCAN, since removed): every standing-ask request for the circuit
    ///      reverts NoMatchingAsk although an honest ask fits. The same 8 addresses and balances can do this on every
    ///      circuit at once, and nobody can remove the asks (they are not stale) until they expire (30 days, re-postable).
    function test_attack_neverFittingBackedAsksBlockScan() public {
        for (uint256 i; i < 8; ++i) {
            _throwawayAsk(
                address(uint160(0xE000 + i)), 0, type(uint32).max, 1, uint40(block.timestamp + 30 days), false
            );
        }
        _postAsk(p1, 40_000, 2 ether); // honest ask that fits the request below
        T.Request memory r = _askRequest(1 ether);
        vm.prank(requester);
        // Expected: the honest ask is matched. Actual: NoMatchingAsk (the 8 blockers used up the scan).
        bytes32 id = market.submitRequest{value: r.maxFee}(r, "input", "", pubs);
        assertEq(_state(id).prover, p1, "the honest ask should be matched");
    }

    /// @dev Finding 2: asks with no capacity left (their provers busy on matched or accepted jobs) count against
    ///      MAX_MATCH_SCAN like refused asks. With the 8 cheapest provers busy, a request reverts although a 9th ask
    ///      with capacity fits. A requester can also produce this for free: 8 requests matched to the 8 cheapest
    ///      asks (cancellable while Matched, escrow refunded) block every other requester for ASK_ACCEPT_WINDOW.
    function test_attack_busyAsksExhaustScan() public {
        for (uint256 i; i < 8; ++i) {
            address a = address(uint160(0xF000 + i));
            vm.deal(a, 1 ether);
            vm.startPrank(a);
            vault.depositEth{value: 0.5 ether}();
            book.postAsk(
                circuitId, uint96(10_000 + i), 300, 1, 0, 0.5 ether, uint40(block.timestamp + 1 days), address(0)
            );
            vm.stopPrank();
        }
        _postAsk(p1, 40_000, 2 ether); // a 9th ask, with capacity
        for (uint256 i; i < 8; ++i) {
            bytes32 busy = _submit(_askRequest(0.1 ether));
            assertEq(_state(busy).prover, address(uint160(0xF000 + i)));
        }
        T.Request memory r = _askRequest(0.1 ether);
        vm.prank(requester);
        // Expected: matched to p1. Actual: NoMatchingAsk.
        bytes32 id = market.submitRequest{value: r.maxFee}(r, "input", "", pubs);
        assertEq(_state(id).prover, p1, "the free ask should be matched");
    }
}
