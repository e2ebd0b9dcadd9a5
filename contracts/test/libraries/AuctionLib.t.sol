// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {AuctionLib} from "../../src/libraries/AuctionLib.sol";

contract AuctionLibTest is Test {
    function _bid(address p, uint96 fee, uint32 lat) internal pure returns (AuctionLib.Bid memory) {
        return AuctionLib.Bid(p, fee, lat);
    }

    function testFuzz_beats_isAStrictOrder(bytes32 id, uint96 fa, uint32 la, uint96 fb, uint32 lb, uint64 w)
        public
        pure
    {
        AuctionLib.Bid memory a = _bid(address(0xA), fa, la);
        AuctionLib.Bid memory b = _bid(address(0xB), fb, lb);
        bool ab = AuctionLib.beats(id, a, b, w);
        bool ba = AuctionLib.beats(id, b, a, w);
        vm.assertTrue(ab != ba, "exactly one of two distinct bidders ranks first");
        vm.assertFalse(AuctionLib.beats(id, a, a, w), "irreflexive");
        uint256 sa = uint256(fa) + uint256(w) * la;
        uint256 sb = uint256(fb) + uint256(w) * lb;
        if (sa < sb) vm.assertTrue(ab, "lower score wins");
        if (sa == sb && la < lb) vm.assertTrue(ab, "equal score: lower latency wins");
    }

    struct Case {
        uint96 maxFee;
        uint96 fa;
        uint32 la;
        uint96 fb;
        uint32 lb;
        uint64 w;
        bool hasRunnerUp;
    }

    function testFuzz_secondScore_boundedByWinnerFeeAndMaxFee(Case memory k) public pure {
        k.fa = uint96(bound(k.fa, 0, k.maxFee));
        k.fb = uint96(bound(k.fb, 0, k.maxFee));
        AuctionLib.Bid memory a = _bid(address(0xA), k.fa, k.la);
        AuctionLib.Bid memory b = _bid(address(0xB), k.fb, k.lb);
        (AuctionLib.Bid memory win, AuctionLib.Bid memory run) = AuctionLib.beats(0, a, b, k.w) ? (a, b) : (b, a);
        uint256 runScore = uint256(run.fee) + uint256(k.w) * run.latency;
        uint96 pay = k.hasRunnerUp ? AuctionLib.secondScorePayment(win.latency, runScore, k.w, k.maxFee) : win.fee;
        vm.assertGe(pay, win.fee, "never below the winner's own fee");
        vm.assertLe(pay, k.maxFee, "never above the maximum fee");
        if (!k.hasRunnerUp) vm.assertEq(uint256(pay), uint256(win.fee), "single bid: own fee");
        // Oracle: the winner's score at the payment equals the runner-up's score, unless capped.
        if (k.hasRunnerUp && pay < k.maxFee) {
            vm.assertEq(uint256(pay) + uint256(k.w) * win.latency, runScore, "second score");
        }
    }

    function test_commitment_bindsEveryField() public pure {
        bytes32 c = AuctionLib.commitment(bytes32(uint256(1)), address(2), 3, 4, bytes32(uint256(5)));
        vm.assertEq(
            c, keccak256(abi.encode(bytes32(uint256(1)), address(2), uint96(3), uint32(4), bytes32(uint256(5))))
        );
        vm.assertTrue(c != AuctionLib.commitment(bytes32(uint256(1)), address(2), 3, 5, bytes32(uint256(5))), "latency");
        vm.assertTrue(c != AuctionLib.commitment(bytes32(uint256(1)), address(3), 3, 4, bytes32(uint256(5))), "prover");
    }
}
