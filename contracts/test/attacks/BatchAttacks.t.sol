// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {DeliveryFixture} from "../utils/DeliveryFixture.sol";
import {IProverMarket, IProverMarketTypes as T} from "../../src/interfaces/IProverMarket.sol";
import {IGroth16BatchVerifier} from "../../src/interfaces/IGroth16BatchVerifier.sol";
import {PermissiveVerifier} from "../mocks/PermissiveVerifier.sol";

/// @notice Attacks by a prover on `fulfillBatch`, whose one verification covers many payments: getting paid for a job
///         it has no proof of by hiding it among others, by having it checked by another circuit's verifier, against
///         another request's inputs, twice, or in someone else's place.
contract BatchAttacksTest is DeliveryFixture {
    /// @dev Two Dutch jobs locked by p1.
    function _twoJobs() internal returns (T.Request[] memory rs, bytes32[] memory ids) {
        Kind[] memory kinds = new Kind[](2);
        (kinds[0], kinds[1]) = (Kind.DutchLocked, Kind.DutchLocked);
        (rs, ids) = _assignedTo(p1, kinds, requester);
    }

    function _batch(T.Request[] memory rs, uint256[8][] memory proofs, uint256[][] memory inputs, bytes memory err)
        internal
    {
        vm.prank(p1);
        vm.expectRevert(err);
        market.fulfillBatch(rs, proofs, inputs);
    }

    /// @dev The attacker registers its own circuit with a verifier that accepts anything, posts a job for it and
    ///      delivers that job first in a batch with a job of the real circuit it cannot prove: if the batch were
    ///      verified by request 0's verifier alone, the permissive one would pass the real job's junk proof.
    function test_attack_permissiveVerifierOfAnotherCircuit() public {
        PermissiveVerifier permissive = new PermissiveVerifier();
        vm.prank(p1);
        uint32 own = registry.registerCircuit(address(permissive), "ipfs://own", keccak256("own"), UNITS, 2);
        T.Request memory bait = _req(T.Mode.Dutch);
        (bait.requester, bait.circuitId, bait.verifier) = (p1, own, address(permissive));
        _submitAs(bait);
        vm.prank(p1);
        market.lockDutch(bait);
        (T.Request[] memory victims, bytes32[] memory ids) = _twoJobs();
        T.Request[] memory rs = new T.Request[](2);
        (rs[0], rs[1]) = (bait, victims[0]);
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(2);
        proofs[1] = _badProof();
        _batch(rs, proofs, inputs, abi.encodeWithSelector(T.BatchMixesCircuits.selector, 1));
        // The same with the real job first: the real verifier is the one, and it rejects the junk proof.
        (rs[0], rs[1]) = (victims[0], victims[1]);
        proofs[0] = _badProof();
        proofs[1] = _proof();
        _batch(rs, proofs, inputs, abi.encodeWithSelector(IGroth16BatchVerifier.InvalidProofAt.selector, 0));
        assertEq(uint256(_state(ids[0]).status), uint256(T.Status.Assigned), "the victim's job is not delivered");
    }

    /// @dev A proof of other public inputs (another request's, or any the attacker can prove) listed with them: the
    ///      request's `publicInputsHash` is checked per request.
    function test_attack_proofOfOtherInputs() public {
        (T.Request[] memory rs,) = _twoJobs();
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(2);
        uint256[] memory easy = new uint256[](2);
        (easy[0], easy[1]) = (1, 1);
        (inputs[1], proofs[1]) = (easy, verifier.validProof(easy));
        _batch(rs, proofs, inputs, abi.encodeWithSelector(T.PublicInputsMismatchAt.selector, 1));
    }

    /// @dev Proofs of two requests with different inputs, swapped: each proof is checked against its own index's
    ///      inputs.
    function test_attack_proofsSwappedBetweenRequests() public {
        uint256[] memory other = new uint256[](2);
        (other[0], other[1]) = (7, 8);
        (T.Request[] memory rs,) = _twoJobs();
        T.Request memory second = _req(T.Mode.Dutch);
        second.publicInputsHash = keccak256(abi.encodePacked(other));
        vm.prank(requester);
        market.submitRequest{value: second.maxFee}(second, "input", "", other);
        vm.prank(p1);
        market.lockDutch(second);
        rs[1] = second;
        uint256[8][] memory proofs = new uint256[8][](2);
        uint256[][] memory inputs = new uint256[][](2);
        (inputs[0], inputs[1]) = (pubs, other);
        (proofs[0], proofs[1]) = (verifier.validProof(other), verifier.validProof(pubs));
        _batch(rs, proofs, inputs, abi.encodeWithSelector(IGroth16BatchVerifier.InvalidProofAt.selector, 0));
        (proofs[0], proofs[1]) = (proofs[1], proofs[0]);
        vm.prank(p1);
        market.fulfillBatch(rs, proofs, inputs);
    }

    /// @dev One job listed twice (paid twice for one proof), or delivered again in a second batch.
    function test_attack_doublePayment() public {
        (T.Request[] memory rs, bytes32[] memory ids) = _twoJobs();
        uint256 price = market.dutchPrice(rs[0]);
        T.Request[] memory twice = new T.Request[](2);
        (twice[0], twice[1]) = (rs[0], rs[0]);
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(2);
        _batch(twice, proofs, inputs, abi.encodeWithSelector(T.WrongStatus.selector, ids[0], T.Status.Fulfilled));
        vm.prank(p1);
        market.fulfillBatch(rs, proofs, inputs);
        _batch(rs, proofs, inputs, abi.encodeWithSelector(T.WrongStatus.selector, ids[0], T.Status.Fulfilled));
        uint256[8] memory proof = _proof();
        vm.prank(p1);
        vm.expectRevert(abi.encodeWithSelector(T.WrongStatus.selector, ids[1], T.Status.Fulfilled));
        market.fulfill(rs[1], proof, pubs);
        assertEq(market.balanceOf(p1), 2 * price, "each job paid once");
    }

    /// @dev Another prover's job (locked by p2) slipped into p1's batch, with a valid proof p1 copied.
    function test_attack_deliverAnotherProversJob() public {
        (T.Request[] memory rs,) = _twoJobs();
        T.Request memory theirs = _req(T.Mode.Dutch);
        _submit(theirs);
        vm.prank(p2);
        market.lockDutch(theirs);
        rs[1] = theirs;
        (uint256[8][] memory proofs, uint256[][] memory inputs) = _batchArgs(2);
        _batch(rs, proofs, inputs, abi.encodeWithSelector(T.NotAssignedProver.selector, p1, p2));
    }

    /// @dev Hand-made calldata whose second input list points at the first one's words (a valid ABI encoding): the
    ///      market checks each request against the list it decodes, and the verifier gets exactly those lists.
    function test_attack_aliasedInputLists() public {
        uint256[] memory other = new uint256[](2);
        (other[0], other[1]) = (7, 8);
        (T.Request[] memory rs,) = _twoJobs();
        T.Request memory second = _req(T.Mode.Dutch);
        second.publicInputsHash = keccak256(abi.encodePacked(other));
        vm.prank(requester);
        market.submitRequest{value: second.maxFee}(second, "input", "", other);
        vm.prank(p1);
        market.lockDutch(second);
        rs[1] = second;
        uint256[8][] memory proofs = new uint256[8][](2);
        uint256[][] memory inputs = new uint256[][](2);
        (inputs[0], inputs[1]) = (pubs, other);
        (proofs[0], proofs[1]) = (verifier.validProof(pubs), verifier.validProof(pubs));
        bytes memory data = abi.encodeCall(IProverMarket.fulfillBatch, (rs, proofs, inputs));
        // publicInputs' offsets: list 1 now points at list 0 (both decode to `pubs`, which is not request 1's).
        uint256 offsetsAt = 4 + _word(data, 4 + 64) + 32;
        _setWord(data, offsetsAt + 32, _word(data, offsetsAt));
        vm.prank(p1);
        (bool ok, bytes memory ret) = address(market).call(data);
        assertFalse(ok, "request 1 delivered with request 0's inputs");
        assertEq(keccak256(ret), keccak256(abi.encodeWithSelector(T.PublicInputsMismatchAt.selector, 1)), "named");
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
}
