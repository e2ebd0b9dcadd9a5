// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AuctionLib} from "../../src/libraries/AuctionLib.sol";
import {ReserveLib} from "../../src/libraries/ReserveLib.sol";

/// @title SimRulesHarness
/// @notice Exposes the market's allocation rules (AuctionLib, ReserveLib) over arrays of cases, so the simulator's C#
///         port (src/Simulation/Rules) is checked against the real code on anvil in a few calls
///         (tests/Simulation.Tests/Rules/RulesAgreementTests.cs). Test-only: not deployed with the market.
contract SimRulesHarness {
    /// @notice `AuctionLib.score` of each case.
    function scores(uint96[] calldata fee, uint32[] calldata latency, uint64[] calldata weight)
        external
        pure
        returns (uint256[] memory out)
    {
        out = new uint256[](fee.length);
        for (uint256 i; i < fee.length; ++i) {
            out[i] = AuctionLib.score(fee[i], latency[i], weight[i]);
        }
    }

    /// @notice `AuctionLib.beats(id, a, b, weight)` of each case.
    function beats(bytes32[] calldata id, AuctionLib.Bid[] calldata a, AuctionLib.Bid[] calldata b, uint64[] calldata weight)
        external
        pure
        returns (bool[] memory out)
    {
        out = new bool[](id.length);
        for (uint256 i; i < id.length; ++i) {
            out[i] = AuctionLib.beats(id[i], a[i], b[i], weight[i]);
        }
    }

    /// @notice `AuctionLib.secondScorePayment` of each case.
    function payments(
        uint32[] calldata winnerLatency,
        uint256[] calldata secondScore,
        uint64[] calldata weight,
        uint96[] calldata maxFee
    ) external pure returns (uint96[] memory out) {
        out = new uint96[](winnerLatency.length);
        for (uint256 i; i < winnerLatency.length; ++i) {
            out[i] = AuctionLib.secondScorePayment(winnerLatency[i], secondScore[i], weight[i], maxFee[i]);
        }
    }

    /// @notice `ReserveLib.roll` of each case (idle 0 gives `step` clamped).
    function rolls(
        uint256[] calldata reserve,
        uint256[] calldata used,
        uint256[] calldata target,
        uint256[] calldata idle,
        uint256[] calldata minR,
        uint256[] calldata maxR
    ) external pure returns (uint256[] memory out) {
        out = new uint256[](reserve.length);
        for (uint256 i; i < reserve.length; ++i) {
            out[i] = ReserveLib.roll(reserve[i], used[i], target[i], idle[i], minR[i], maxR[i]);
        }
    }

    /// @notice `ReserveLib.ramp` of each case.
    function ramps(
        uint256[] calldata start,
        uint256[] calldata end,
        uint256[] calldata from,
        uint256[] calldata until,
        uint256[] calldata nowTs
    ) external pure returns (uint256[] memory out) {
        out = new uint256[](start.length);
        for (uint256 i; i < start.length; ++i) {
            out[i] = ReserveLib.ramp(start[i], end[i], from[i], until[i], nowTs[i]);
        }
    }
}
