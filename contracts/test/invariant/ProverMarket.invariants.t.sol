// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketFixture} from "../utils/MarketFixture.sol";
import {IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";
import {MarketHandler} from "./MarketHandler.sol";
import {ICollateralVault} from "../../src/interfaces/ICollateralVault.sol";

/// @notice Stateful invariants of market + vault under random lifecycles (all modes, slashing, withdrawals), checked
///         after every call of one campaign (`invariant_marketAndVault`), and a floor on what each run reached
///         (`afterInvariant`).
contract ProverMarketInvariants is MarketFixture {
    /// @dev How many times `lifecycle` is listed among the 24 single steps: 12 of 36 entries, a third of the calls, so
    ///      a run of 64 calls has fewer than 4 lifecycles (the fourth is the first batch) with probability below 4e-8.
    uint256 internal constant LIFECYCLE_WEIGHT = 12;
    /// @dev The floor holds for runs of at least this many calls (the default depth; deep runs are longer).
    uint256 internal constant MIN_STEPS = 64;
    uint256 internal constant MIN_SUBMITS = 4;

    MarketHandler internal handler;

    function setUp() public override {
        super.setUp();
        (address[] memory ps, address[] memory rs) = _participants();
        _setProtocolFee(300);
        handler = new MarketHandler(market, vault, verifier, token, circuitId, tokenAsset, treasury, ps, rs, pubs);
        targetContract(address(handler));
        bytes4[] memory sel = new bytes4[](24 + LIFECYCLE_WEIGHT);
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
        sel[20] = MarketHandler.reserveDust.selector;
        sel[21] = MarketHandler.releaseAll.selector;
        sel[22] = MarketHandler.fulfillBatch.selector;
        sel[23] = MarketHandler.setCallback.selector;
        // Listed LIFECYCLE_WEIGHT times (the fuzzer picks uniformly among the entries): see `afterInvariant`.
        for (uint256 i = 24; i < sel.length; ++i) {
            sel[i] = MarketHandler.lifecycle.selector;
        }
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

    /// @notice Every check below after every call. One campaign: forge runs each `invariant_` function as a campaign
    ///         of its own, and the checks cost little next to the lifecycles that drive them.
    ///         `make test` runs 96 campaigns of 64 calls (about a minute here: each call runs a whole lifecycle, real
    ///         pairings included, and the checks walk every request so far); `make test-deep` runs 1,000 of 128.
    /// forge-config: default.invariant.runs = 96
    function invariant_marketAndVault() public view {
        _marketEscrowPlusBalancesEqualsEth();
        _vaultBalancesEqualHoldings();
        _noRequestPaidTwice();
        _slashNeverExceedsLocked();
        _bondBalanceBackedByLockedCollateral();
        _everyBusyLaneBelongsToOneBid();
        _secondScorePaymentBounded();
        _batchesAndCallbacksAsSpecified();
    }

    /// @notice What a run reached. Every handler action catches reverts (and `fail_on_revert` is off), so a market
    ///         whose submit, fulfil, open delivery or slash always reverted would otherwise pass every invariant with
    ///         nothing happening. Lifecycle kinds rotate (see `MarketHandler.lifecycle`): any four lifecycles of a
    ///         run include a fulfilment by the assigned prover, a slash, an open delivery and a batch (whose first
    ///         callback records: the callback's behaviour rotates from there).
    function afterInvariant() public view {
        if (handler.steps() < MIN_STEPS) return;
        assertGe(handler.nSubmitted(), MIN_SUBMITS, "submits in the run");
        assertGe(handler.nFulfilled(), 1, "fulfilments by the assigned prover in the run");
        assertGe(handler.nDelivered(), 1, "open deliveries in the run");
        assertGe(handler.nSlashed(), 1, "slashes in the run");
        assertGe(handler.nBatches(), 1, "batches in the run");
        assertGe(handler.nBatchedRequests(), 2, "requests delivered in batches in the run");
        assertGe(handler.nCallbacks(), 1, "callbacks run in the run");
    }

    /// @notice Escrow of live requests + withdrawable balances == ETH held by the market.
    function _marketEscrowPlusBalancesEqualsEth() internal view {
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
    function _vaultBalancesEqualHoldings() internal view {
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
    function _noRequestPaidTwice() internal view {
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
    function _slashNeverExceedsLocked() internal view {
        assertFalse(handler.slashExceededLocked(), "slash exceeded locked collateral");
        assertFalse(handler.slashTouchedFree(), "slash touched free collateral");
    }

    /// @notice The market's bond balances are collateral the vault holds locked: never more than the locked balance,
    ///         and reserve/release move exactly what they say (a release beyond the bond balance reverts).
    function _bondBalanceBackedByLockedCollateral() internal view {
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
    function _everyBusyLaneBelongsToOneBid() internal view {
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

    /// @notice A batch with a request listed twice or a bad proof never goes through, and every delivery of a request
    ///         with a callback called its requester back once, after the request was Fulfilled (or, with a callback
    ///         set to fail, was paid all the same: `_noRequestPaidTwice` and the escrow check see those payments).
    function _batchesAndCallbacksAsSpecified() internal view {
        assertFalse(handler.flawedBatchAccepted(), "a batch with a duplicate or a bad proof went through");
        assertFalse(handler.callbackBroken(), "a delivery did not call its requester back as specified");
    }

    /// @notice The second-score payment lies in [winner's fee, maxFee].
    function _secondScorePaymentBounded() internal view {
        assertFalse(handler.paymentOutOfBounds(), "payment outside [winner fee, maxFee]");
    }
}
