// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IRestakingAdapter
/// @notice How an external restaking protocol's slashing plugs into the market.
/// @dev The vault accepts restaking receipt tokens (e.g. a liquid restaked-ETH token) as ERC-20 collateral. A protocol
///      that instead keeps stake in its own contracts (operators delegate, the protocol slashes) is integrated through
///      an adapter implementing this interface: the market treats `stakeOf` as collateral it may lock, and a missed
///      deadline becomes a `slash` request forwarded to the protocol, whose own veto or delay rules then apply. The
///      adapter must guarantee that stake it reports as allocated cannot leave faster than the vault's unbonding delay.
interface IRestakingAdapter {
    /// @notice The adapter forwarded a slash to the restaking protocol.
    /// @param operator The prover's operator identity in the restaking protocol.
    /// @param requested Amount the market asked to slash.
    /// @param slashed Amount the protocol actually slashed (may be lower if the protocol caps or vetoes).
    /// @param beneficiary Where the slashed value is routed.
    /// @param reason Market-defined reason (the request id).
    event SlashForwarded(
        address indexed operator,
        uint256 requested,
        uint256 slashed,
        address indexed beneficiary,
        bytes32 indexed reason
    );

    /// @notice The caller is not the market.
    error OnlyMarket(address caller);

    /// @notice Collateral token this adapter values stake in (the receipt token).
    function stakeToken() external view returns (address);

    /// @notice Stake allocated to the market by `operator` that is slashable for at least `unbondingPeriod()`.
    function stakeOf(address operator) external view returns (uint256);

    /// @notice Minimum time between an operator starting to exit and its stake becoming unslashable.
    function unbondingPeriod() external view returns (uint256);

    /// @notice Slashes `amount` of `operator`'s stake and routes it to `beneficiary`. Market only.
    /// @return slashed Amount actually slashed.
    function slash(address operator, uint256 amount, address beneficiary, bytes32 reason)
        external
        returns (uint256 slashed);
}
