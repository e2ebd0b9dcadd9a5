// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketFixture} from "../utils/MarketFixture.sol";
import {Vm} from "../utils/Vm.sol";
import {MockVerifier} from "../mocks/MockVerifier.sol";
import {ExampleRollup} from "../../src/examples/ExampleRollup.sol";
import {IExampleRollup} from "../../src/examples/interfaces/IExampleRollup.sol";
import {IProverMarketTypes as T} from "../../src/interfaces/IProverMarketTypes.sol";

/// @notice Cheatcodes the minimal `Vm` does not declare.
interface VmExtra {
    /// @notice Marks every storage slot of `target` cold (as in a fresh transaction).
    function cool(address target) external;
    function mockCallRevert(address callee, bytes calldata data, bytes calldata revertData) external;
    function clearMockedCalls() external;
}

/// @notice A market with an `ExampleRollup` on a 3-input mock circuit, its escrow funded, and helpers that commit
///         batches and deliver their proofs in each allocation mode.
abstract contract RollupFixture is MarketFixture {
    uint256 internal constant SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant ESCROW = 5 ether;
    VmExtra internal constant vmx = VmExtra(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @notice forge prints these with -vv (DSTest's log event).
    event log_named_uint(string key, uint256 val);

    ExampleRollup internal rollup;
    MockVerifier internal rollupVerifier;
    uint32 internal rollupCircuit;
    bytes32 internal genesis;
    address internal rollupOwner;
    address internal sequencer;
    address internal stranger;

    /// @dev A batch as posted: its index, the market request (decoded from `RequestSubmitted`) and public inputs.
    struct Posted {
        uint256 index;
        bytes32 id;
        T.Request request;
        uint256[] pubs;
    }

    function setUp() public virtual override {
        super.setUp();
        rollupOwner = makeAddr("rollupOwner");
        sequencer = makeAddr("sequencer");
        stranger = makeAddr("stranger");
        vm.deal(stranger, 100 ether);
        genesis = _field("genesis", 0);
        rollupVerifier = new MockVerifier(3);
        vm.prank(rollupOwner);
        rollupCircuit = registry.registerCircuit(address(rollupVerifier), "ipfs://rollup", keccak256("rollup"), UNITS, 3);
        rollup = new ExampleRollup(rollupOwner, sequencer, market, rollupCircuit, genesis);
        vm.deal(address(this), 1_000 ether);
        rollup.deposit{value: ESCROW}();
    }

    // ------------------------------------------------------------------ batches

    function _field(string memory tag, uint256 k) internal pure returns (bytes32) {
        return bytes32(uint256(keccak256(abi.encode(tag, k))) % SCALAR_FIELD);
    }

    function _newRoot(uint256 k) internal pure returns (bytes32) {
        return _field("root", k);
    }

    function _batchHash(uint256 k) internal pure returns (bytes32) {
        return _field("batch", k);
    }

    function _input(uint256 k) internal pure returns (bytes memory) {
        return abi.encodePacked('{"batch":', bytes32(k), "}");
    }

    function _terms(T.Mode mode) internal pure returns (IExampleRollup.ProofTerms memory t) {
        t.mode = mode;
        t.onMiss = T.OnMiss.OpenSecondary;
        t.assetId = 0;
        t.bidWindow = 100;
        t.revealWindow = 100;
        t.provingWindow = 600;
        t.maxFee = MAX_FEE;
        t.minFee = 0.01 ether;
        t.minCollateral = uint96(COLLATERAL); // >= maxFee: a sealed bid's bond
        t.latencyWeight = 1e12;
    }

    /// @dev The sequencer commits batch content `k` (inline input) in `mode`.
    function _commitBatch(uint256 k, T.Mode mode) internal returns (Posted memory p) {
        return _commitBatch(k, _terms(mode));
    }

    function _commitBatch(uint256 k, IExampleRollup.ProofTerms memory terms) internal returns (Posted memory p) {
        vm.recordLogs();
        bytes memory input = _input(k);
        vm.prank(sequencer);
        (p.index, p.id) = rollup.commitBatch(_newRoot(k), _batchHash(k), keccak256(input), input, "", terms);
        p.request = _submitted(p.id);
        p.pubs = rollup.publicInputsOf(p.index);
    }

    /// @dev Anyone reposts `p`'s batch after its request ended; returns the new posting.
    function _repost(Posted memory p, address who, uint256 k) internal returns (Posted memory q) {
        vm.recordLogs();
        vm.prank(who);
        q.id = rollup.repostBatch(p.index, p.request, _input(k), "");
        q.index = p.index;
        q.request = _submitted(q.id);
        q.pubs = p.pubs;
    }

    /// @dev The terms of request `id`, from the `RequestSubmitted` event recorded since `vm.recordLogs`.
    /// @dev Commits batch 0 with its input behind the URI `ipfs://batch-0` (a Dutch request), and moves past the
    ///      request's bid deadline so that anyone may repost it; returns the request as submitted.
    function _expiredUriBatch() internal returns (T.Request memory r) {
        vm.recordLogs();
        vm.prank(sequencer);
        (, bytes32 id) =
            rollup.commitBatch(_newRoot(0), _batchHash(0), keccak256("content"), "", "ipfs://batch-0", _terms(T.Mode.Dutch));
        r = _submitted(id);
        vm.warp(uint256(r.bidDeadline) + 1);
    }

    function _submitted(bytes32 id) internal returns (T.Request memory r) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (
                logs[i].emitter == address(market) && logs[i].topics[0] == T.RequestSubmitted.selector
                    && logs[i].topics[1] == id
            ) {
                (r,,,,,) = abi.decode(logs[i].data, (T.Request, uint256, uint256, bytes, string, uint256[]));
                return r;
            }
        }
        revert("no RequestSubmitted for the id");
    }

    // ------------------------------------------------------------------ delivery per mode

    function _rollupProof(uint256[] memory pubs) internal view returns (uint256[8] memory) {
        return rollupVerifier.validProof(pubs);
    }

    /// @dev `prover` wins and proves `p` in its request's mode. A standing-ask request must have matched `prover`'s ask
    ///      (`_postRollupAsk` before the commit).
    function _deliver(Posted memory p, address prover) internal {
        T.Request memory r = p.request;
        uint256[8] memory proof = _rollupProof(p.pubs);
        if (r.mode == T.Mode.SealedBid) {
            _commit(r, prover, 0.05 ether, 60);
            _toReveal(r);
            _reveal(r, prover, 0.05 ether, 60);
            _toSettle(r);
            vm.prank(prover);
            market.fulfill(r, proof, p.pubs);
        } else if (r.mode == T.Mode.Dutch) {
            vm.prank(prover);
            market.lockDutch(r);
            vm.prank(prover);
            market.fulfill(r, proof, p.pubs);
        } else if (r.mode == T.Mode.StandingAsk) {
            assertEq(market.requestState(p.id).prover, prover, "matched the prover's ask");
            vm.prank(prover);
            market.acceptMatch(r);
            vm.prank(prover);
            market.fulfill(r, proof, p.pubs);
        } else {
            _commitRollupProof(p.id, prover, proof);
            vm.roll(block.number + 1);
            vm.prank(prover);
            market.revealProof(r, proof, p.pubs);
        }
    }

    function _commitRollupProof(bytes32 id, address who, uint256[8] memory proof) internal {
        bytes32 c = market.proofCommitment(id, who, proof);
        vm.prank(who);
        market.commitProof(id, c);
    }

    /// @dev `prover` lists an ask on the rollup's circuit at 0.05 ETH per job.
    function _postRollupAsk(address prover) internal {
        vm.prank(prover);
        book.postAsk(
            rollupCircuit, uint96(0.05 ether / UNITS), 300, 10, 0, 2 ether, uint40(block.timestamp + 7 days), address(0)
        );
    }

    /// @dev Everything the rollup owns: its balance, its market balance and the escrow of its live requests `live`.
    function _rollupFunds(Posted[] memory live) internal view returns (uint256 total) {
        total = address(rollup).balance + market.balanceOf(address(rollup));
        for (uint256 i; i < live.length; ++i) {
            T.Status s = market.requestState(live[i].id).status;
            if (s == T.Status.Open || s == T.Status.Matched || s == T.Status.Assigned || s == T.Status.Secondary) {
                total += live[i].request.maxFee;
            }
        }
    }

    /// @dev The data of the first log of `emitter` with topics `topic0`, `topic1` in `logs` (`found` false: none).
    function _findLog(Vm.Log[] memory logs, address emitter, bytes32 topic0, bytes32 topic1)
        internal
        pure
        returns (bool found, bytes memory data)
    {
        for (uint256 i; i < logs.length; ++i) {
            if (
                logs[i].emitter == emitter && logs[i].topics.length > 1 && logs[i].topics[0] == topic0
                    && logs[i].topics[1] == topic1
            ) return (true, logs[i].data);
        }
    }

    function _status(uint256 index) internal view returns (IExampleRollup.BatchStatus) {
        return rollup.batch(index).status;
    }
}
