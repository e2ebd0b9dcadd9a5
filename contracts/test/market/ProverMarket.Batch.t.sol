// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DeliveryFixture} from "../utils/DeliveryFixture.sol";
import {Vm} from "../utils/Vm.sol";
import {IProverMarket, IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";
import {IGroth16Verifier} from "../../src/interfaces/IGroth16Verifier.sol";
import {IGroth16BatchVerifier} from "../../src/interfaces/IGroth16BatchVerifier.sol";
import {ProverMarketExtension} from "../../src/market/ProverMarketExtension.sol";
import {MockVerifier} from "../mocks/MockVerifier.sol";
import {SingleOnlyVerifier} from "../mocks/SingleOnlyVerifier.sol";

/// @notice `fulfillBatch`: each request checked, paid and released exactly as by `fulfill`, the proofs checked by one
///         `verifyProofBatch` call; every malformed batch refused, naming what is wrong.
contract ProverMarketBatchTest is DeliveryFixture {
    /// @dev What a delivery can change, read after it: balances, collateral, the reserve booking, the ask, the delivered
    ///      requests' state, and the delivery events in order (`AuctionSettled`, `RequestFulfilled`, `BondReleased`).
    struct Books {
        uint256[5] balances;
        uint256[3] locked;
        uint256[3] free;
        uint256[3] bonds;
        uint256 marketEth;
        uint64 usedUnits;
        uint32 askCapacity;
        bytes32 states;
        bytes32 events;
        uint256 eventCount;
    }

    function _books(bytes32[] memory ids, Vm.Log[] memory logs) internal view returns (Books memory b) {
        address[5] memory who = [p1, p2, p3, requester, treasury];
        for (uint256 i; i < 5; ++i) {
            b.balances[i] = market.balanceOf(who[i]);
        }
        for (uint256 i; i < 3; ++i) {
            b.locked[i] = vault.lockedBalance(who[i], 0);
            b.free[i] = vault.freeBalance(who[i], 0);
            b.bonds[i] = market.bondBalance(who[i], 0);
        }
        b.marketEth = address(market).balance;
        b.usedUnits = market.feeState(circuitId).usedUnits;
        b.askCapacity = book.askOf(circuitId, p1).capacity;
        for (uint256 i; i < ids.length; ++i) {
            b.states = keccak256(abi.encode(b.states, market.requestState(ids[i])));
        }
        for (uint256 i; i < logs.length; ++i) {
            bytes32 t0 = logs[i].topics.length != 0 ? logs[i].topics[0] : bytes32(0);
            if (
                logs[i].emitter == address(market)
                    && (t0 == T.AuctionSettled.selector
                        || t0 == T.RequestFulfilled.selector
                        || t0 == T.BondReleased.selector)
            ) {
                b.events = keccak256(abi.encode(b.events, logs[i].topics, logs[i].data));
                ++b.eventCount;
            }
        }
    }

    function _assertSameBooks(Books memory a, Books memory b) internal pure {
        for (uint256 i; i < 5; ++i) {
            assertEq(a.balances[i], b.balances[i], string.concat("market balance of participant ", vm.toString(i)));
        }
        for (uint256 i; i < 3; ++i) {
            assertEq(a.locked[i], b.locked[i], string.concat("locked collateral of p", vm.toString(i + 1)));
            assertEq(a.free[i], b.free[i], string.concat("free collateral of p", vm.toString(i + 1)));
            assertEq(a.bonds[i], b.bonds[i], string.concat("bond balance of p", vm.toString(i + 1)));
        }
        assertEq(a.marketEth, b.marketEth, "ETH held by the market");
        assertEq(a.usedUnits, b.usedUnits, "reserve units booked");
        assertEq(a.askCapacity, b.askCapacity, "ask capacity restored");
        assertEq(a.states, b.states, "request states");
        assertEq(a.eventCount, b.eventCount, "delivery events");
        assertEq(a.events, b.events, "delivery events, in order, with their arguments");
    }

    /// @dev Builds `kinds` for p1, delivers them one by one (`fulfill`) and, from the same state, in one batch, and
    ///      compares everything a delivery changes.
    function _batchMatchesSingles(Kind[] memory kinds) internal {
        uint256 start = vm.snapshotState();
        (T.Request[] memory rs, bytes32[] memory ids) = _assignedTo(p1, kinds, requester);
        vm.recordLogs();
        for (uint256 i; i < rs.length; ++i) {
            uint256[8] memory proof = _proof();
            vm.prank(p1);
            market.fulfill(rs[i], proof, pubs);
        }
        Books memory singly = _books(ids, vm.getRecordedLogs());

        vm.revertToState(start);
        (T.Request[] memory rs2, bytes32[] memory ids2) = _assignedTo(p1, kinds, requester);
        for (uint256 i; i < ids.length; ++i) {
            assertEq(ids2[i], ids[i], "the same requests rebuilt");
        }
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(rs2.length);
        vm.recordLogs();
        vm.prank(p1);
        market.fulfillBatch(rs2, proofs, inputs);
        Books memory batched = _books(ids2, vm.getRecordedLogs());
        _assertSameBooks(singly, batched);
        for (uint256 i; i < ids2.length; ++i) {
            assertEq(uint256(_state(ids2[i]).status), uint256(T.Status.Fulfilled));
        }
    }

    // =================================================================== paid exactly as singly

    /// @dev Every form `fulfill` takes, in one batch, with a protocol fee: the same balances, collateral, bids, ask,
    ///      reserve booking, states and events as seven single deliveries.
    function test_fulfillBatch_everyKindPaidAsSingly() public {
        _setProtocolFee(250);
        _batchMatchesSingles(_everyKind());
    }

    /// @dev The same with the prover's collateral in its bond balance (returns rewrite that balance, once per batch).
    function test_fulfillBatch_everyKindPaidAsSinglyWithBondBalance() public {
        vm.prank(p1);
        market.reserveCollateral(0, 5 ether);
        _batchMatchesSingles(_everyKind());
    }

    /// @dev Any sequence of kinds, repeated or not, in any order, under any protocol fee.
    function testFuzz_fulfillBatch_paidAsSingly(uint256 seed) public {
        _setProtocolFee(uint16(uint256(keccak256(abi.encode(seed, "fee"))) % 1_001)); // up to MAX_PROTOCOL_FEE_BPS
        uint256 n = bound(seed, 1, 8);
        Kind[] memory kinds = new Kind[](n);
        for (uint256 i; i < n; ++i) {
            kinds[i] = Kind(uint256(keccak256(abi.encode(seed, i))) % 7);
        }
        vm.prank(p1);
        vault.depositEth{value: 20 ether}();
        vm.prank(p3);
        vault.depositEth{value: 20 ether}();
        _batchMatchesSingles(kinds);
    }

    /// @dev One `verifyProofBatch` call for the whole batch, and no single-proof verification.
    function test_fulfillBatch_verifiesOnceWithTheBatchEntry() public {
        (T.Request[] memory rs,) = _assignedTo(p1, _everyKind(), requester);
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(rs.length);
        vm.expectCall(address(verifier), abi.encodeCall(IGroth16BatchVerifier.verifyProofBatch, (proofs, inputs)), 1);
        vm.expectCall(address(verifier), abi.encodeWithSelector(IGroth16Verifier.verifyProof.selector), 0);
        vm.prank(p1);
        market.fulfillBatch(rs, proofs, inputs);
    }

    /// @dev Requests whose collateral is in different assets: each asset's collateral goes back.
    function test_fulfillBatch_returnsCollateralInEachAsset() public {
        token.mint(p1, 10 ether);
        vm.startPrank(p1);
        token.approve(address(vault), 10 ether);
        vault.depositToken(tokenAsset, 10 ether);
        vm.stopPrank();
        T.Request[] memory rs = new T.Request[](3);
        uint8[3] memory assets = [uint8(0), tokenAsset, 0];
        for (uint256 i; i < 3; ++i) {
            T.Request memory r = _req(T.Mode.Dutch);
            r.assetId = assets[i];
            _submit(r);
            vm.prank(p1);
            market.lockDutch(r);
            rs[i] = r;
        }
        assertEq(_backing(p1, 0), 2 * COLLATERAL);
        assertEq(_backing(p1, tokenAsset), COLLATERAL);
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(3);
        vm.prank(p1);
        market.fulfillBatch(rs, proofs, inputs);
        assertEq(_backing(p1, 0), 0, "ETH collateral back");
        assertEq(_backing(p1, tokenAsset), 0, "token collateral back");
        assertEq(vault.freeBalance(p1, tokenAsset), 10 ether);
    }

    /// @dev The largest batch.
    function test_fulfillBatch_maxBatch() public {
        uint256 max = market.MAX_BATCH();
        assertEq(max, 32);
        vm.deal(p1, 100 ether);
        vm.prank(p1);
        vault.depositEth{value: 40 ether}();
        Kind[] memory kinds = new Kind[](max);
        for (uint256 i; i < max; ++i) {
            kinds[i] = Kind.DutchLocked;
        }
        (T.Request[] memory rs, bytes32[] memory ids) = _assignedTo(p1, kinds, requester);
        uint256 price = market.dutchPrice(rs[0]);
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(max);
        vm.prank(p1);
        market.fulfillBatch(rs, proofs, inputs);
        assertEq(market.balanceOf(p1), max * price);
        assertEq(market.feeState(circuitId).usedUnits, max * UNITS, "every job booked");
        assertEq(uint256(_state(ids[max - 1]).status), uint256(T.Status.Fulfilled));
        assertEq(_backing(p1, 0), 0);
    }

    // =================================================================== refused batches

    function _threeDutch() internal returns (T.Request[] memory rs, bytes32[] memory ids) {
        Kind[] memory kinds = new Kind[](3);
        (kinds[0], kinds[1], kinds[2]) = (Kind.DutchLocked, Kind.DutchStored, Kind.DutchLocked);
        (rs, ids) = _assignedTo(p1, kinds, requester);
    }

    function _expectBatchRevert(
        T.Request[] memory rs,
        uint256[8][] memory proofs,
        uint256[][] memory inputs,
        bytes memory err
    ) internal {
        vm.prank(p1);
        vm.expectRevert(err);
        market.fulfillBatch(rs, proofs, inputs);
    }

    /// @dev A bad proof anywhere reverts the whole batch, naming its index; nothing is delivered.
    function test_fulfillBatch_badProofRevertsNamingItsIndex() public {
        (T.Request[] memory rs, bytes32[] memory ids) = _threeDutch();
        for (uint256 k; k < 3; ++k) {
            (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(3);
            proofs[k] = _badProof();
            _expectBatchRevert(
                rs, proofs, inputs, abi.encodeWithSelector(IGroth16BatchVerifier.InvalidProofAt.selector, k)
            );
        }
        assertEq(uint256(_state(ids[0]).status), uint256(T.Status.Assigned), "nothing delivered");
        assertEq(market.balanceOf(p1), 0);
    }

    /// @dev Public inputs other than a request's (its `publicInputsHash`) name that request's index.
    function test_fulfillBatch_wrongPublicInputsNameTheIndex() public {
        (T.Request[] memory rs,) = _threeDutch();
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(3);
        uint256[] memory other = new uint256[](2);
        (other[0], other[1]) = (11, 23);
        inputs[2] = other;
        proofs[2] = verifier.validProof(other); // a valid proof of other inputs
        _expectBatchRevert(rs, proofs, inputs, abi.encodeWithSelector(T.PublicInputsMismatchAt.selector, 2));
        inputs[2] = new uint256[](0);
        _expectBatchRevert(rs, proofs, inputs, abi.encodeWithSelector(T.PublicInputsMismatchAt.selector, 2));
    }

    /// @dev A request for another circuit, or pinning another verifier of the same circuit, names its index.
    function test_fulfillBatch_refusesMixedCircuitsAndVerifiers() public {
        (T.Request[] memory rs,) = _threeDutch();
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(3);
        // Another circuit, same verifier contract.
        vm.prank(makeAddr("rollup"));
        uint32 other = registry.registerCircuit(address(verifier), "ipfs://other", keccak256("other"), UNITS, 2);
        T.Request memory r = _req(T.Mode.Dutch);
        r.circuitId = other;
        _submit(r);
        vm.prank(p1);
        market.lockDutch(r);
        rs[1] = r;
        _expectBatchRevert(rs, proofs, inputs, abi.encodeWithSelector(T.BatchMixesCircuits.selector, 1));

        // The same circuit after a verifier upgrade: a request pinning the new verifier beside ones pinning the old.
        (T.Request[] memory rs2,) = _threeDutch();
        MockVerifier v2 = new MockVerifier(2);
        vm.prank(makeAddr("rollup"));
        registry.proposeVerifierUpgrade(circuitId, address(v2), "ipfs://v2", keccak256("v2"));
        vm.warp(block.timestamp + UPGRADE_DELAY + 1);
        registry.activateVerifierUpgrade(circuitId);
        T.Request memory upgraded = _req(T.Mode.Dutch);
        upgraded.verifier = address(v2);
        _submit(upgraded);
        vm.prank(p1);
        market.lockDutch(upgraded);
        rs2[2] = upgraded;
        _expectBatchRevert(rs2, proofs, inputs, abi.encodeWithSelector(T.BatchMixesCircuits.selector, 2));
    }

    /// @dev A request listed twice: Fulfilled when it is seen the second time.
    function test_fulfillBatch_refusesDuplicates() public {
        (T.Request[] memory rs, bytes32[] memory ids) = _threeDutch();
        rs[2] = rs[0];
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(3);
        _expectBatchRevert(
            rs, proofs, inputs, abi.encodeWithSelector(T.WrongStatus.selector, ids[0], T.Status.Fulfilled)
        );
    }

    function test_fulfillBatch_refusesSomeoneElsesRequest() public {
        (T.Request[] memory rs,) = _threeDutch();
        T.Request memory theirs = _req(T.Mode.Dutch);
        _submit(theirs);
        vm.prank(p2);
        market.lockDutch(theirs);
        rs[1] = theirs;
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(3);
        _expectBatchRevert(rs, proofs, inputs, abi.encodeWithSelector(T.NotAssignedProver.selector, p1, p2));
    }

    function test_fulfillBatch_refusesPassedDeadline() public {
        (T.Request[] memory rs,) = _threeDutch();
        T.Request memory late = _req(T.Mode.Dutch);
        late.provingWindow = 50;
        _submit(late);
        vm.prank(p1);
        market.lockDutch(late);
        uint40 deadline = uint40(block.timestamp + 50);
        vm.warp(block.timestamp + 51);
        rs[0] = late;
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(3);
        _expectBatchRevert(rs, proofs, inputs, abi.encodeWithSelector(T.DeadlinePassed.selector, deadline));
    }

    /// @dev Open races and secondary deliveries are two-step (`revealProof`), never batched; nor are requests nobody
    ///      holds yet, or ids with no request.
    function test_fulfillBatch_refusesWhatFulfillRefuses() public {
        (T.Request[] memory rs,) = _threeDutch();
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(3);
        T.Request memory race = _req(T.Mode.OpenRace);
        bytes32 raceId = _submit(race);
        rs[1] = race;
        _expectBatchRevert(rs, proofs, inputs, abi.encodeWithSelector(T.WrongStatus.selector, raceId, T.Status.Open));

        (T.Request memory slashed, bytes32 slashedId) = (_req(T.Mode.Dutch), bytes32(0));
        slashedId = _submit(slashed);
        vm.prank(p2);
        market.lockDutch(slashed);
        vm.warp(block.timestamp + slashed.provingWindow + 1);
        market.slash(slashed);
        (T.Request[] memory fresh,) = _threeDutch();
        fresh[0] = slashed;
        _expectBatchRevert(
            fresh, proofs, inputs, abi.encodeWithSelector(T.WrongStatus.selector, slashedId, T.Status.Secondary)
        );

        T.Request memory unknown = _req(T.Mode.Dutch);
        fresh[0] = unknown;
        _expectBatchRevert(
            fresh, proofs, inputs, abi.encodeWithSelector(T.UnknownRequest.selector, market.requestIdOf(unknown))
        );
    }

    function test_fulfillBatch_refusesBadSizes() public {
        (T.Request[] memory rs,) = _threeDutch();
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(3);
        (uint256[8][] memory two, uint256[][] memory twoInputs) = _batchArgs(2);
        _expectBatchRevert(rs, two, inputs, abi.encodeWithSelector(T.BatchSizeInvalid.selector, 3, 2, 3));
        _expectBatchRevert(rs, proofs, twoInputs, abi.encodeWithSelector(T.BatchSizeInvalid.selector, 3, 3, 2));
        _expectBatchRevert(
            new T.Request[](0),
            new uint256[8][](0),
            new uint256[][](0),
            abi.encodeWithSelector(T.BatchSizeInvalid.selector, 0, 0, 0)
        );
        uint256 over = market.MAX_BATCH() + 1;
        (uint256[8][] memory many, uint256[][] memory manyInputs) = _batchArgs(over);
        _expectBatchRevert(
            new T.Request[](over),
            many,
            manyInputs,
            abi.encodeWithSelector(T.BatchSizeInvalid.selector, over, over, over)
        );
    }

    /// @dev A verifier whose code changed since it was pinned is refused once for the batch.
    function test_fulfillBatch_refusesChangedVerifierCode() public {
        (T.Request[] memory rs,) = _threeDutch();
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(3);
        bytes32 pinned = address(verifier).codehash;
        MockVerifier other = new MockVerifier(3);
        vm.etch(address(verifier), address(other).code);
        _expectBatchRevert(
            rs,
            proofs,
            inputs,
            abi.encodeWithSelector(T.VerifierCodeChanged.selector, address(verifier), pinned, address(other).codehash)
        );
    }

    /// @dev A verifier without the batch entry (an older template) cannot serve a batch; `fulfill` still works.
    function test_fulfillBatch_verifierWithoutBatchEntryReverts() public {
        SingleOnlyVerifier single = new SingleOnlyVerifier(verifier);
        vm.prank(makeAddr("rollup"));
        uint32 c = registry.registerCircuit(address(single), "ipfs://single", keccak256("single"), UNITS, 2);
        T.Request[] memory rs = new T.Request[](2);
        for (uint256 i; i < 2; ++i) {
            T.Request memory r = _req(T.Mode.Dutch);
            (r.circuitId, r.verifier) = (c, address(single));
            _submit(r);
            vm.prank(p1);
            market.lockDutch(r);
            rs[i] = r;
        }
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(2);
        vm.prank(p1);
        vm.expectRevert();
        market.fulfillBatch(rs, proofs, inputs);
        vm.prank(p1);
        market.fulfill(rs[0], proofs[0], inputs[0]);
    }

    /// @dev Public-input lists encoded out of order (valid ABI, not canonical) are checked and verified as decoded: the
    ///      verifier gets the lists this call hashed, in request order.
    function test_fulfillBatch_nonCanonicalInputListsVerifyAsDecoded() public {
        (T.Request[] memory rs, bytes32[] memory ids) = _threeDutch();
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(3);
        bytes memory data = abi.encodeCall(IProverMarket.fulfillBatch, (rs, proofs, inputs));
        // The three lists are the same here (the fixture's pubs); swap list 0's and list 2's offsets so the tail is
        // read out of order, and give list 1 a distinct position by pointing it at list 2's copy: all decode to pubs.
        uint256 offsetsAt = _publicInputsOffsetsAt(data);
        (uint256 o0, uint256 o2) = (_word(data, offsetsAt), _word(data, offsetsAt + 64));
        _setWord(data, offsetsAt, o2);
        _setWord(data, offsetsAt + 64, o0);
        _setWord(data, offsetsAt + 32, o0);
        vm.expectCall(address(verifier), abi.encodeCall(IGroth16BatchVerifier.verifyProofBatch, (proofs, inputs)), 1);
        vm.prank(p1);
        (bool ok,) = address(market).call(data);
        assertTrue(ok, "a non-canonical but valid encoding");
        assertEq(uint256(_state(ids[2]).status), uint256(T.Status.Fulfilled));
    }

    /// @dev Where the offsets of `publicInputs`' lists start in `fulfillBatch` calldata (after its length word).
    function _publicInputsOffsetsAt(bytes memory data) internal pure returns (uint256) {
        // Selector, then three head words; the third is publicInputs' offset from the start of the arguments.
        return 4 + _word(data, 4 + 64) + 32;
    }

    function _word(bytes memory data, uint256 at) internal pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := mload(add(add(data, 0x20), at))
        }
    }

    function _setWord(bytes memory data, uint256 at, uint256 w) internal pure {
        assembly ("memory-safe") {
            mstore(add(add(data, 0x20), at), w)
        }
    }

    /// @dev The batch code called directly (not through the market) acts on its own empty storage: no request exists.
    function test_fulfillBatch_delegateCalledDirectlyHoldsNothing() public {
        (T.Request[] memory rs, bytes32[] memory ids) = _threeDutch();
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(3);
        address batch = ProverMarketExtension(market.extension()).batch();
        assertEq(batch, ProverMarketExtension(address(market)).batch(), "the market reports the same batch code");
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.UnknownRequest.selector, ids[0]));
        IProverMarket(batch).fulfillBatch(rs, proofs, inputs);
    }
}
