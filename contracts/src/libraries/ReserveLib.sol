// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ReserveLib
/// @notice EIP-1559-style reserve price per proving unit and the reverse-Dutch price ramp.
/// @dev Per period the reserve moves by at most 1/8 toward the target utilization: up by
///      r * min(used - target, target) / target / 8 (at least 1 wei, so a tiny reserve can still grow), down by
///      r * (target - used) / target / 8. Unlike EIP-1559 the reserve is not burnt: it is a floor on what provers
///      are paid.
library ReserveLib {
    /// @notice Denominator of the maximum per-period change (12.5%), as in EIP-1559.
    uint256 internal constant CHANGE_DENOMINATOR = 8;
    /// @notice At most this many idle periods are applied in one update (each lowers the reserve by 1/8; 64 such
    ///         steps shrink any uint96 value by more than 2^12, enough to reach the floor from any realistic level).
    uint256 internal constant MAX_IDLE_STEPS = 64;

    /// @notice One period's adjustment given the units used in it.
    function step(uint256 reserve, uint256 used, uint256 target) internal pure returns (uint256) {
        if (used > target) {
            uint256 excess = used - target;
            if (excess > target) excess = target;
            uint256 delta = reserve * excess / target / CHANGE_DENOMINATOR;
            return reserve + (delta == 0 ? 1 : delta);
        }
        // used <= target: delta <= reserve / 8, so no underflow.
        return reserve - reserve * (target - used) / target / CHANGE_DENOMINATOR;
    }

    /// @notice Applies the adjustment for the period just closed plus `idlePeriods` empty periods, clamped.
    function roll(uint256 reserve, uint256 used, uint256 target, uint256 idlePeriods, uint256 minR, uint256 maxR)
        internal
        pure
        returns (uint256 r)
    {
        r = step(reserve, used, target);
        if (idlePeriods > MAX_IDLE_STEPS) idlePeriods = MAX_IDLE_STEPS;
        for (uint256 i; i < idlePeriods && r > minR; ++i) {
            r -= r / CHANGE_DENOMINATOR;
        }
        if (r < minR) r = minR;
        if (r > maxR) r = maxR;
    }

    /// @notice Linear ramp from `start` at `from` to `end` at `until` (and `end` afterwards).
    function ramp(uint256 start, uint256 end, uint256 from, uint256 until, uint256 nowTs)
        internal
        pure
        returns (uint256)
    {
        if (nowTs >= until || end <= start) return end;
        if (nowTs <= from) return start;
        return start + (end - start) * (nowTs - from) / (until - from);
    }
}
