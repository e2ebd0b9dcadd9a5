// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A pointer to the bid lane of the runner-up kept on standby (`OnMiss.RunnerUp`): `prover | lane << 160`;
///         0 when none. Its fee and latency are in that lane (`BidLane`).
type RunnerUp is uint256;

using RunnerUpLib for RunnerUp global;

/// @title RunnerUpLib
/// @notice Builds and reads `RunnerUp` pointers.
library RunnerUpLib {
    function at(address prover_, uint8 lane_) internal pure returns (RunnerUp) {
        return RunnerUp.wrap(uint256(uint160(prover_)) | uint256(lane_) << 160);
    }

    function prover(RunnerUp r) internal pure returns (address) {
        return address(uint160(RunnerUp.unwrap(r)));
    }

    function lane(RunnerUp r) internal pure returns (uint8) {
        return uint8(RunnerUp.unwrap(r) >> 160);
    }

    function isSet(RunnerUp r) internal pure returns (bool) {
        return RunnerUp.unwrap(r) != 0;
    }

    function eq(RunnerUp a, RunnerUp b) internal pure returns (bool) {
        return RunnerUp.unwrap(a) == RunnerUp.unwrap(b);
    }
}
