// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./Test.sol";
import {CircuitRegistry} from "../../src/CircuitRegistry.sol";
import {CollateralVault} from "../../src/CollateralVault.sol";
import {ProverMarket} from "../../src/ProverMarket.sol";
import {ProverMarketExtension} from "../../src/market/ProverMarketExtension.sol";
import {IProverMarket, IProverMarketTypes} from "../../src/interfaces/IProverMarket.sol";
import {IAskBook} from "../../src/interfaces/IAskBook.sol";
import {MockVerifier} from "../mocks/MockVerifier.sol";
import {MockERC20} from "../mocks/MockERC20.sol";
import {MockRequester} from "../mocks/MockRequester.sol";

/// @notice Deploys registry + vault + market with a mock verifier and funded actors, and builds requests.
abstract contract MarketFixture is Test {
    uint64 internal constant UNITS = 1_000_000;
    uint256 internal constant COLLATERAL = 1 ether;
    uint96 internal constant MAX_FEE = 0.1 ether;
    uint256 internal constant UPGRADE_DELAY = 1 days;
    uint256 internal constant UNBONDING = 7 days;

    CircuitRegistry internal registry;
    CollateralVault internal vault;
    IProverMarket internal market;
    IAskBook internal book;
    MockVerifier internal verifier;
    MockERC20 internal token;
    uint32 internal circuitId;
    uint8 internal tokenAsset;

    address internal owner = address(this);
    address internal treasury;
    address internal requester;
    address internal p1;
    address internal p2;
    address internal p3;
    address internal p4;
    uint256[] internal pubs;
    uint64 internal nonce;

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        vm.roll(100);
        treasury = makeAddr("treasury");
        requester = makeAddr("requester");
        p1 = makeAddr("p1");
        p2 = makeAddr("p2");
        p3 = makeAddr("p3");
        p4 = makeAddr("p4");

        registry = new CircuitRegistry(UPGRADE_DELAY);
        vault = new CollateralVault(owner, UNBONDING);
        ProverMarketExtension ext = new ProverMarketExtension(registry, vault);
        ProverMarket impl = new ProverMarket(owner, registry, vault, treasury, address(ext));
        market = IProverMarket(address(impl));
        book = IAskBook(market.askBook());
        vault.setMarket(address(market));
        token = new MockERC20();
        tokenAsset = vault.addAsset(address(token));

        verifier = new MockVerifier(2);
        vm.prank(makeAddr("rollup"));
        circuitId = registry.registerCircuit(address(verifier), "ipfs://artifacts", keccak256("artifacts"), UNITS, 2);

        pubs = new uint256[](2);
        pubs[0] = 11;
        pubs[1] = 22;

        vm.deal(requester, 100 ether);
        address[4] memory ps = [p1, p2, p3, p4];
        for (uint256 i; i < 4; ++i) {
            vm.deal(ps[i], 100 ether);
            vm.prank(ps[i]);
            vault.depositEth{value: 10 ether}();
        }
    }

    /// @dev Proposes and activates a protocol fee (the owner's timelocked path), warping past the delay.
    function _setProtocolFee(uint16 bps) internal {
        market.proposeProtocolFee(bps);
        vm.warp(block.timestamp + market.PARAMS_DELAY());
        market.activateProtocolFee();
    }

    // ------------------------------------------------------------------ request builders

    function _req(IProverMarketTypes.Mode mode) internal returns (IProverMarketTypes.Request memory r) {
        r.requester = requester;
        r.circuitId = circuitId;
        r.mode = mode;
        r.onMiss = IProverMarketTypes.OnMiss.OpenSecondary;
        r.assetId = 0;
        r.bidDeadline = uint40(block.timestamp + 100);
        r.revealDeadline = uint40(block.timestamp + 200);
        r.provingWindow = 600;
        r.verifier = address(verifier);
        r.maxFee = MAX_FEE;
        r.minFee = 0.01 ether;
        r.minCollateral = uint96(COLLATERAL);
        r.latencyWeight = 1e12; // 1e12 wei per second of promised latency
        r.nonce = ++nonce;
        r.inputHash = keccak256("input");
        r.publicInputsHash = keccak256(abi.encodePacked(pubs));
        r.protocolFeeBps = market.effectiveProtocolFee();
    }

    function _submit(IProverMarketTypes.Request memory r) internal returns (bytes32 id) {
        vm.prank(r.requester);
        id = market.submitRequest{value: r.maxFee}(r, "input", "", pubs);
    }

    function _salt(address p) internal pure returns (bytes32) {
        return keccak256(abi.encode("salt", p));
    }

    /// @dev Commits in lane 0 (tests that keep several bids of one prover open at once pass a lane).
    function _commit(IProverMarketTypes.Request memory r, address p, uint96 fee, uint32 latency)
        internal
        returns (bytes32 c)
    {
        return _commit(r, p, fee, latency, 0);
    }

    function _commit(IProverMarketTypes.Request memory r, address p, uint96 fee, uint32 latency, uint8 lane)
        internal
        returns (bytes32 c)
    {
        bytes32 id = market.requestIdOf(r);
        c = market.bidCommitment(id, p, fee, latency, _salt(p));
        vm.prank(p);
        market.commitBid(r, c, lane);
    }

    function _reveal(IProverMarketTypes.Request memory r, address p, uint96 fee, uint32 latency) internal {
        _reveal(r, p, fee, latency, 0);
    }

    function _reveal(IProverMarketTypes.Request memory r, address p, uint96 fee, uint32 latency, uint8 lane) internal {
        vm.prank(p);
        market.revealBid(r, fee, latency, _salt(p), lane);
    }

    /// @dev The commitment `_commit` posts for `p` (to reclaim or forfeit its bond).
    function _commitmentOf(IProverMarketTypes.Request memory r, address p, uint96 fee, uint32 latency)
        internal
        view
        returns (bytes32)
    {
        return market.bidCommitment(market.requestIdOf(r), p, fee, latency, _salt(p));
    }

    function _toReveal(IProverMarketTypes.Request memory r) internal {
        vm.warp(uint256(r.bidDeadline) + 1);
    }

    function _toSettle(IProverMarketTypes.Request memory r) internal {
        vm.warp(uint256(r.revealDeadline) + 1);
    }

    function _proof() internal view returns (uint256[8] memory) {
        return verifier.validProof(pubs);
    }

    function _badProof() internal view returns (uint256[8] memory p) {
        p = verifier.validProof(pubs);
        p[0] ^= 1;
    }

    /// @dev `who` commits to `proof` for `id`; the event proves that `who`, not this contract, sent it. The commitment
    ///      is computed before the prank: an external call inside the pranked call's arguments would run first and
    ///      consume the prank.
    function _commitProof(bytes32 id, address who, uint256[8] memory proof) internal returns (bytes32 c) {
        c = market.proofCommitment(id, who, proof);
        vm.expectEmit(true, true, false, true, address(market));
        emit IProverMarketTypes.ProofCommitted(id, who, c, block.number);
        vm.prank(who);
        market.commitProof(id, c);
    }

    /// @dev Open delivery by `who`: commit a valid proof, wait one block, reveal it.
    function _deliverTwoStep(IProverMarketTypes.Request memory r, bytes32 id, address who) internal {
        uint256[8] memory proof = _proof();
        _commitProof(id, who, proof);
        vm.roll(block.number + 1);
        vm.prank(who);
        market.revealProof(r, proof, pubs);
    }

    /// @dev The four provers and three funded requesters that the invariant suites drive; the third is a contract with a
    ///      callback (`MockRequester`: its requests set `callbackGasLimit`).
    function _participants() internal returns (address[] memory ps, address[] memory rs) {
        ps = new address[](4);
        (ps[0], ps[1], ps[2], ps[3]) = (p1, p2, p3, p4);
        rs = new address[](3);
        rs[0] = requester;
        rs[1] = makeAddr("requester2");
        rs[2] = address(new MockRequester(market));
        vm.label(rs[2], "callbackRequester");
        vm.deal(rs[1], 1_000 ether);
        vm.deal(rs[2], 1_000 ether);
        vm.deal(requester, 1_000 ether);
    }

    /// @dev Collateral of `p` backing bids or jobs now: the vault's locked balance less the market's bond balance
    ///      (released bonds stay locked in the vault, in the bond balance).
    function _backing(address p, uint8 assetId) internal view returns (uint256) {
        return vault.lockedBalance(p, assetId) - market.bondBalance(p, assetId);
    }

    function _state(bytes32 id) internal view returns (IProverMarketTypes.RequestView memory) {
        return market.requestState(id);
    }
}
