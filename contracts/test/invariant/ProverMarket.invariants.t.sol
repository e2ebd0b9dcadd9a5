// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketFixture} from "../utils/MarketFixture.sol";
import {IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";
import {MarketHandler} from "./MarketHandler.sol";
import {ICollateralVault} from "../../src/interfaces/ICollateralVault.sol";

/// @notice Stateful invariants of market + vault under random lifecycles (all modes, slashing, withdrawals).
contract ProverMarketInvariants is MarketFixture {
    MarketHandler internal handler;

    function setUp() public override {
        super.setUp();
        (address[] memory ps, address[] memory rs) = _participants();
        _setProtocolFee(300);
        handler = new MarketHandler(market, vault, verifier, token, circuitId, tokenAsset, treasury, ps, rs, pubs);
        targetContract(address(handler));
        bytes4[] memory sel = new bytes4[](20);
        sel[0] = MarketHandler.submit.selector;
        sel[1] = MarketHandler.postAsk.selector;
        sel[2] = MarketHandler.commitBid.selector;
        sel[3] = MarketHandler.revealBids.selector;
        sel[4] = MarketHandler.settle.selector;
        sel[5] = MarketHandler.lockDutch.selector;
        sel[6] = MarketHandler.fulfill.selector;
        sel[7] = MarketHandler.deliverOpen.selector;
        sel[8] = MarketHandler.slash.selector;
        sel[9] = MarketHandler.cancel.selector;
        sel[10] = MarketHandler.expire.selector;
        sel[11] = MarketHandler.forfeitBond.selector;
        sel[12] = MarketHandler.acceptMatch.selector;
        sel[13] = MarketHandler.warp.selector;
        sel[14] = MarketHandler.withdrawMarket.selector;
        sel[15] = MarketHandler.vaultWithdraw.selector;
        sel[16] = MarketHandler.vaultClaim.selector;
        sel[17] = MarketHandler.deposit.selector;
        sel[18] = MarketHandler.reserveCollateral.selector;
        sel[19] = MarketHandler.releaseCollateral.selector;
        targetSelector(FuzzSelector(address(handler), sel));
    }

    function _accounts() internal view returns (address[] memory a) {
        uint256 np = handler.proverCount();
        uint256 nr = handler.requesterCount();
        a = new address[](np + nr + 3);
        for (uint256 i; i < np; ++i) {
            a[i] = handler.provers(i);
        }
        for (uint256 i; i < nr; ++i) {
            a[np + i] = handler.requesters(i);
        }
        a[np + nr] = treasury;
        a[np + nr + 1] = address(market);
        a[np + nr + 2] = market.BURN_ADDRESS(); // burnt slashes and forfeits stay in the vault, claimable by nobody
    }

    /// @notice Escrow of live requests + withdrawable balances == ETH held by the market.
    function invariant_marketEscrowPlusBalancesEqualsEth() public view {
        uint256 sum;
        uint256 n = handler.requestCount();
        for (uint256 i; i < n; ++i) {
            T.Request memory r = handler.requestAt(i);
            T.Status s = market.requestState(keccak256(abi.encode(r))).status;
            if (
                s == T.Status.Open || s == T.Status.Assigned || s == T.Status.Secondary || s == T.Status.Matched
            ) sum += r.maxFee;
        }
        address[] memory a = _accounts();
        for (uint256 i; i < a.length; ++i) {
            sum += market.balanceOf(a[i]);
        }
        assertEq(sum, address(market).balance, "escrow + balances == market ETH");
    }

    /// @notice Per asset: free + locked + pending + claimable over all accounts == what the vault holds.
    function invariant_vaultBalancesEqualHoldings() public view {
        address[] memory a = _accounts();
        for (uint8 asset; asset < 2; ++asset) {
            uint256 sum;
            for (uint256 i; i < a.length; ++i) {
                ICollateralVault.AccountView memory v = vault.accountView(a[i], asset);
                sum += v.free + v.locked + v.pending + v.claimable;
            }
            uint256 held = asset == 0 ? address(vault).balance : token.balanceOf(address(vault));
            assertEq(sum, held, "free + locked + pending + claimable == holdings");
        }
    }

    /// @notice No request is ever paid twice.
    function invariant_noRequestPaidTwice() public view {
        uint256 n = handler.requestCount();
        for (uint256 i; i < n; ++i) {
            bytes32 id = keccak256(abi.encode(handler.requestAt(i)));
            assertLe(handler.timesPaid(id), 1, "paid at most once");
            if (handler.timesPaid(id) == 1) {
                assertEq(uint256(market.requestState(id).status), uint256(T.Status.Fulfilled), "paid => fulfilled");
            }
        }
    }

    /// @notice A slash takes exactly the job collateral out of locked, never more, and never touches free collateral.
    function invariant_slashNeverExceedsLocked() public view {
        assertFalse(handler.slashExceededLocked(), "slash exceeded locked collateral");
        assertFalse(handler.slashTouchedFree(), "slash touched free collateral");
    }

    /// @notice The market's bond balances are collateral the vault holds locked: never more than the locked balance,
    ///         and reserve/release move exactly what they say (a release beyond the bond balance reverts).
    function invariant_bondBalanceBackedByLockedCollateral() public view {
        assertFalse(handler.bondAccountingBroken(), "reserve/release moved the wrong amount");
        uint256 np = handler.proverCount();
        for (uint256 i; i < np; ++i) {
            address p = handler.provers(i);
            for (uint8 asset; asset < 2; ++asset) {
                assertLe(market.bondBalance(p, asset), vault.lockedBalance(p, asset), "bond balance <= locked");
            }
        }
    }

    /// @notice Every busy bid lane (lanes 0-2, the ones the handler uses) holds exactly one live bid of one request:
    ///         its commitment, or the best or kept runner-up bid that the request points at. So no lane is ever stuck
    ///         (a held lane nobody points at could never be freed) and no two requests share one.
    function invariant_everyBusyLaneBelongsToOneBid() public view {
        uint256 np = handler.proverCount();
        uint256 n = handler.requestCount();
        for (uint256 i; i < np; ++i) {
            address p = handler.provers(i);
            for (uint8 lane; lane < 3; ++lane) {
                if (market.bidLane(p, lane) <= 1) continue;
                uint256 owners;
                for (uint256 k; k < n; ++k) {
                    bytes32 id = keccak256(abi.encode(handler.requestAt(k)));
                    (,, uint8 l, bool committed, bytes32 c) = handler.bids(id, p);
                    if (committed && l == lane && market.bidStatus(id, p, lane, c) != T.BidStatus.None) ++owners;
                }
                assertEq(owners, 1, "a busy lane belongs to exactly one bid");
            }
        }
    }

    /// @notice The second-score payment lies in [winner's fee, maxFee].
    function invariant_secondScorePaymentBounded() public view {
        assertFalse(handler.paymentOutOfBounds(), "payment outside [winner fee, maxFee]");
    }
}
