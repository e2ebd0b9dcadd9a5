pragma circom 2.1.0;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";

// Demo rollup: a batch of K transfers between accounts in a Poseidon Merkle tree of depth D (2^D accounts).
//
// State: leaf(i) = Poseidon(owner_i, balance_i, nonce_i); node = Poseidon(left, right); the root commits to all
// accounts. Balances are 64-bit: every balance written is range-checked with Num2Bits(64), so a transfer can neither
// overdraw its sender (the new balance would wrap to a field element >= 2^64) nor overflow its receiver.
// Transfers are applied in order; the receiver's Merkle path is taken against the root after the sender's update,
// so a transfer to oneself is handled correctly (balance unchanged, nonce + 1).
// Batch hash: h_0 = 0, h_{k+1} = Poseidon(h_k, from_k, to_k, amount_k, senderNonce_k); it binds the proof to the
// exact list of transfers (with nonces against replay).
// Scope: this circuit proves the validity of the state transition only. It does not check that the sender
// authorised the transfer (a production rollup adds an EdDSA-Poseidon signature per transfer).

// Merkle root from a leaf, its path bits (LSB first: bit 1 = the node is a right child) and siblings.
template MerkleRootFromPath(D) {
    signal input leaf;
    signal input pathBits[D];
    signal input siblings[D];
    signal output root;

    component h[D];
    signal cur[D + 1];
    signal left[D];
    signal right[D];
    cur[0] <== leaf;
    for (var i = 0; i < D; i++) {
        // pathBits[i] is boolean (it comes from Num2Bits); left = bit ? sibling : cur.
        left[i] <== cur[i] + pathBits[i] * (siblings[i] - cur[i]);
        right[i] <== cur[i] + siblings[i] - left[i];
        h[i] = Poseidon(2);
        h[i].inputs[0] <== left[i];
        h[i].inputs[1] <== right[i];
        cur[i + 1] <== h[i].out;
    }
    root <== cur[D];
}

template AccountLeaf() {
    signal input owner;
    signal input balance;
    signal input nonce;
    signal output out;
    component h = Poseidon(3);
    h.inputs[0] <== owner;
    h.inputs[1] <== balance;
    h.inputs[2] <== nonce;
    out <== h.out;
}

// One transfer: checks it against rootIn and outputs the root after it.
template Transfer(D) {
    signal input rootIn;
    signal input from;
    signal input to;
    signal input amount;
    signal input senderOwner;
    signal input senderBalance;
    signal input senderNonce;
    signal input senderSiblings[D];
    signal input receiverOwner;
    signal input receiverBalance;
    signal input receiverNonce;
    signal input receiverSiblings[D];
    signal output rootOut;

    component fromBits = Num2Bits(D);
    fromBits.in <== from;
    component toBits = Num2Bits(D);
    toBits.in <== to;
    component amountRange = Num2Bits(64);
    amountRange.in <== amount;

    // Sender: old leaf is in rootIn.
    component senderOld = AccountLeaf();
    senderOld.owner <== senderOwner;
    senderOld.balance <== senderBalance;
    senderOld.nonce <== senderNonce;
    component senderOldRoot = MerkleRootFromPath(D);
    senderOldRoot.leaf <== senderOld.out;
    senderOldRoot.pathBits <== fromBits.out;
    senderOldRoot.siblings <== senderSiblings;
    senderOldRoot.root === rootIn;

    // Sender: debit (must stay in [0, 2^64)), bump nonce.
    signal senderNewBalance <== senderBalance - amount;
    component senderRange = Num2Bits(64);
    senderRange.in <== senderNewBalance;
    component senderNew = AccountLeaf();
    senderNew.owner <== senderOwner;
    senderNew.balance <== senderNewBalance;
    senderNew.nonce <== senderNonce + 1;
    component midRoot = MerkleRootFromPath(D);
    midRoot.leaf <== senderNew.out;
    midRoot.pathBits <== fromBits.out;
    midRoot.siblings <== senderSiblings;

    // Receiver: old leaf is in the intermediate root.
    component receiverOld = AccountLeaf();
    receiverOld.owner <== receiverOwner;
    receiverOld.balance <== receiverBalance;
    receiverOld.nonce <== receiverNonce;
    component receiverOldRoot = MerkleRootFromPath(D);
    receiverOldRoot.leaf <== receiverOld.out;
    receiverOldRoot.pathBits <== toBits.out;
    receiverOldRoot.siblings <== receiverSiblings;
    receiverOldRoot.root === midRoot.root;

    // Receiver: credit (must stay below 2^64).
    signal receiverNewBalance <== receiverBalance + amount;
    component receiverRange = Num2Bits(64);
    receiverRange.in <== receiverNewBalance;
    component receiverNew = AccountLeaf();
    receiverNew.owner <== receiverOwner;
    receiverNew.balance <== receiverNewBalance;
    receiverNew.nonce <== receiverNonce;
    component newRoot = MerkleRootFromPath(D);
    newRoot.leaf <== receiverNew.out;
    newRoot.pathBits <== toBits.out;
    newRoot.siblings <== receiverSiblings;
    rootOut <== newRoot.root;
}

template RollupBatch(D, K) {
    signal input oldRoot;
    signal input newRoot;
    signal input batchHash;

    signal input from[K];
    signal input to[K];
    signal input amount[K];
    signal input senderOwner[K];
    signal input senderBalance[K];
    signal input senderNonce[K];
    signal input senderSiblings[K][D];
    signal input receiverOwner[K];
    signal input receiverBalance[K];
    signal input receiverNonce[K];
    signal input receiverSiblings[K][D];

    component tx[K];
    component bh[K];
    signal roots[K + 1];
    signal hashes[K + 1];
    roots[0] <== oldRoot;
    hashes[0] <== 0;
    for (var k = 0; k < K; k++) {
        tx[k] = Transfer(D);
        tx[k].rootIn <== roots[k];
        tx[k].from <== from[k];
        tx[k].to <== to[k];
        tx[k].amount <== amount[k];
        tx[k].senderOwner <== senderOwner[k];
        tx[k].senderBalance <== senderBalance[k];
        tx[k].senderNonce <== senderNonce[k];
        tx[k].senderSiblings <== senderSiblings[k];
        tx[k].receiverOwner <== receiverOwner[k];
        tx[k].receiverBalance <== receiverBalance[k];
        tx[k].receiverNonce <== receiverNonce[k];
        tx[k].receiverSiblings <== receiverSiblings[k];
        roots[k + 1] <== tx[k].rootOut;

        bh[k] = Poseidon(5);
        bh[k].inputs[0] <== hashes[k];
        bh[k].inputs[1] <== from[k];
        bh[k].inputs[2] <== to[k];
        bh[k].inputs[3] <== amount[k];
        bh[k].inputs[4] <== senderNonce[k];
        hashes[k + 1] <== bh[k].out;
    }
    roots[K] === newRoot;
    hashes[K] === batchHash;
}
