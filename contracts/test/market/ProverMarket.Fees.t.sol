// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketFixture} from "../utils/MarketFixture.sol";
import {IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";
import {Owned} from "../../src/utils/Owned.sol";

/// @notice The EIP-1559-style reserve price and the bounded owner parameters.
contract ProverMarketFeesTest is MarketFixture {
    /// @dev An open race, delivered: only fulfilled work counts toward the reserve's utilisation.
    function _race() internal returns (bytes32 id) {
        T.Request memory r = _req(T.Mode.OpenRace);
        id = _submit(r);
        _deliverTwoStep(r, id, p1);
    }

    function test_reserve_risesWhenAboveTarget() public {
        market.setReserveParams(1 hours, 1_000, 1e12, uint56(UNITS)); // target: one job per hour
        market.setCircuitTarget(circuitId, uint56(UNITS));
        _race();
        _race(); // 2 jobs: 100% above target
        T.FeeState memory f = market.feeState(circuitId);
        assertEq(f.usedUnits, 2 * UNITS);
        uint256 r0 = f.reservePerUnit;
        vm.warp(block.timestamp + 1 hours);
        vm.expectEmit(true, false, false, true, address(market));
        emit T.ReservePriceUpdated(circuitId, r0, r0 + r0 / 8, uint40(block.timestamp), uint64(2 * UNITS));
        bytes32 id = _race();
        assertEq(market.feeState(circuitId).reservePerUnit, r0 + r0 / 8, "+12.5% at 2x target");
        assertEq(_state(id).reserveFee, (r0 + r0 / 8) * UNITS, "snapshot into the request");
    }

    function test_reserve_fallsWhenIdleAndStopsAtFloor() public {
        market.setReserveParams(1 hours, 1_000, 1e12, uint56(UNITS));
        market.setCircuitTarget(circuitId, uint56(UNITS));
        for (uint256 i; i < 6; ++i) {
            _race();
            _race();
            _race();
            vm.warp(block.timestamp + 1 hours);
        }
        _race();
        uint256 high = market.feeState(circuitId).reservePerUnit;
        assertGt(high, 1_000, "rose above the floor");
        vm.warp(block.timestamp + 3 hours); // one busy-ish period then two idle ones
        _race();
        uint256 afterIdle = market.feeState(circuitId).reservePerUnit;
        uint256 expected = high - high * (UNITS - UNITS) / UNITS / 8; // period with 1 job at target: unchanged
        expected -= expected / 8;
        expected -= expected / 8;
        assertEq(afterIdle, expected < 1_000 ? 1_000 : expected, "two idle periods: -12.5% each");
        vm.warp(block.timestamp + 365 days);
        _race();
        assertEq(market.feeState(circuitId).reservePerUnit, 1_000, "floor");
    }

    function testFuzz_reserve_staysWithinBounds(uint8 jobs, uint32 gap) public {
        market.setReserveParams(1 hours, 10, 1_000_000, uint56(UNITS));
        market.setCircuitTarget(circuitId, uint56(UNITS));
        uint256 n = bound(jobs, 1, 8);
        for (uint256 i; i < n; ++i) {
            uint256 before = market.feeState(circuitId).reservePerUnit;
            vm.warp(block.timestamp + bound(gap, 0, 5 hours));
            _race();
            uint256 r = market.feeState(circuitId).reservePerUnit;
            assertGe(r, 10, "floor");
            assertLe(r, 1_000_000, "ceiling");
            assertLe(r, before + before / 8 + 1, "at most +12.5% per update");
        }
    }

    function test_owner_parametersAreBounded() public {
        vm.expectRevert(abi.encodeWithSelector(T.ParamOutOfRange.selector, 1_001, 0, 1_000));
        market.proposeProtocolFee(1_001);
        vm.expectRevert(abi.encodeWithSelector(T.ParamOutOfRange.selector, 59, 60, 7 days));
        market.setReserveParams(59, 1, 2, 1);
        vm.expectRevert(abi.encodeWithSelector(T.ParamOutOfRange.selector, 1e12 + 1, 0, 1e12));
        market.setReserveParams(60, 1, 1e12 + 1, 1);
        vm.expectRevert(abi.encodeWithSelector(T.ParamOutOfRange.selector, 3, 0, 2));
        market.setReserveParams(60, 3, 2, 1);
        vm.expectRevert(abi.encodeWithSelector(T.ParamOutOfRange.selector, 0, 1, type(uint48).max));
        market.setCircuitTarget(circuitId, 0);
        vm.expectRevert(T.ZeroAddress.selector);
        market.setTreasury(address(0));
    }

    function test_owner_onlyOwner() public {
        vm.startPrank(p1);
        vm.expectRevert(abi.encodeWithSelector(Owned.NotOwner.selector, p1));
        market.proposeProtocolFee(1);
        vm.expectRevert(abi.encodeWithSelector(Owned.NotOwner.selector, p1));
        market.setTreasury(p1);
        vm.expectRevert(abi.encodeWithSelector(Owned.NotOwner.selector, p1));
        market.setReserveParams(60, 1, 2, 1);
        vm.expectRevert(abi.encodeWithSelector(Owned.NotOwner.selector, p1));
        market.setCircuitTarget(circuitId, 1);
        vm.stopPrank();
    }

    function test_owner_twoStepTransfer() public {
        market.transferOwnership(p1);
        assertEq(market.owner(), address(this));
        vm.prank(p2);
        vm.expectRevert(abi.encodeWithSelector(Owned.NotPendingOwner.selector, p2));
        market.acceptOwnership();
        vm.prank(p1);
        market.acceptOwnership();
        assertEq(market.owner(), p1);
    }

    function test_params_viewReflectsSetters() public {
        _setProtocolFee(250);
        market.setTreasury(p4);
        (address t, uint16 fee, uint16 share, uint32 period,,,) = market.params();
        assertEq(t, p4);
        assertEq(fee, 250);
        assertEq(share, 5_000, "the fixed slash share");
        assertEq(period, 1 hours);
    }
}
