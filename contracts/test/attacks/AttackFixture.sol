// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketFixture} from "../utils/MarketFixture.sol";
import {IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";

/// @notice Helpers shared by the attack suites: an attacker's second address, funded in the market and the vault.
abstract contract AttackFixture is MarketFixture {
    address internal shill;

    function setUp() public virtual override {
        super.setUp();
        shill = makeAddr("shill");
        vm.deal(shill, 100 ether);
        vm.prank(shill);
        vault.depositEth{value: 50 ether}();
    }

    /// @dev Everything `who` holds in the vault for asset 0: free + locked + pending + claimable.
    function _vaultWorth(address who) internal view returns (uint256) {
        return vault.freeBalance(who, 0) + vault.lockedBalance(who, 0) + vault.accountView(who, 0).pending
            + vault.claimableBalance(who, 0);
    }

    /// @dev Everything `who` holds across the market (withdrawable ETH) and the vault.
    function _worth(address who) internal view returns (uint256) {
        return market.balanceOf(who) + _vaultWorth(who);
    }

    function _postAsk(address p, uint96 pricePerUnit, uint96 maxCollateral) internal {
        vm.prank(p);
        book.postAsk(circuitId, pricePerUnit, 300, 5, 0, maxCollateral, uint40(block.timestamp + 1 days), address(0));
    }

    /// @dev A throwaway address backs an ask with just MIN_ASK_COLLATERAL (0.01) of free vault balance and posts it;
    ///      with `withdraw` it then starts withdrawing that backing, so the ask stays listed but unbacked.
    function _throwawayAsk(address a, uint96 price, uint32 maxLatency, uint32 capacity, uint40 expiresAt, bool withdraw)
        internal
    {
        vm.deal(a, 1 ether);
        vm.startPrank(a);
        vault.depositEth{value: 0.01 ether}();
        book.postAsk(circuitId, price, maxLatency, capacity, 0, 0.01 ether, expiresAt, address(0));
        if (withdraw) vault.requestWithdrawal(0, 0.01 ether);
        vm.stopPrank();
    }

    function _askRequest(uint96 minCollateral) internal returns (T.Request memory r) {
        r = _req(T.Mode.StandingAsk);
        r.minCollateral = minCollateral;
    }
}
