// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {ReserveLib} from "../../src/libraries/ReserveLib.sol";

contract ReserveLibTest is Test {
    function testFuzz_step_movesAtMostOneEighth(uint96 r, uint64 used, uint56 target) public pure {
        vm.assume(target > 0);
        uint256 next = ReserveLib.step(r, used, target);
        if (used > target) {
            vm.assertGt(next, r, "grows above target");
            vm.assertLe(next, uint256(r) + uint256(r) / 8 + 1, "+12.5% max");
        } else {
            vm.assertLe(next, r, "does not grow at or below target");
            vm.assertGe(next, uint256(r) - uint256(r) / 8, "-12.5% max");
        }
        if (used == target) vm.assertEq(next, uint256(r), "at target: unchanged");
    }

    function test_step_matchesEip1559Formula() public pure {
        // base 1000, target 100, used 150: 1000 + 1000 * 50 / 100 / 8 = 1062
        vm.assertEq(ReserveLib.step(1000, 150, 100), 1062);
        // used 0: 1000 - 1000 / 8 = 875
        vm.assertEq(ReserveLib.step(1000, 0, 100), 875);
        // tiny reserve still grows
        vm.assertEq(ReserveLib.step(1, 200, 100), 2);
    }

    function testFuzz_roll_clamped(uint96 r, uint64 used, uint56 target, uint16 idle, uint96 lo, uint96 hi)
        public
        pure
    {
        vm.assume(target > 0);
        if (lo > hi) (lo, hi) = (hi, lo);
        uint256 next = ReserveLib.roll(r, used, target, idle, lo, hi);
        vm.assertGe(next, lo, "floor");
        vm.assertLe(next, hi, "ceiling");
    }

    function testFuzz_ramp_monotoneAndBounded(uint96 a, uint96 b, uint32 from, uint32 len, uint32 t1, uint32 t2)
        public
        pure
    {
        if (a > b) (a, b) = (b, a);
        len = uint32(bound(len, 1, type(uint32).max));
        uint256 until = uint256(from) + len;
        if (t1 > t2) (t1, t2) = (t2, t1);
        uint256 p1 = ReserveLib.ramp(a, b, from, until, t1);
        uint256 p2 = ReserveLib.ramp(a, b, from, until, t2);
        vm.assertLe(p1, p2, "monotone");
        vm.assertGe(p1, a, "at least start");
        vm.assertLe(p2, b, "at most end");
    }
}
