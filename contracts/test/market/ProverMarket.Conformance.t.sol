// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MarketFixture} from "../utils/MarketFixture.sol";
import {IProverMarket} from "../../src/interfaces/IProverMarket.sol";

/// @notice `ProverMarket` serves the hot paths of `IProverMarket` itself and forwards every other call by DELEGATECALL
///         to `ProverMarketExtension` (its fallback), except `fulfillBatch`, which its fallback forwards to
///         `ProverMarketBatch` (for dispatch, that one function is a third side of its own). Neither contract declares `is IProverMarket` (the split would not
///         compile against it), so the compiler does not check that the two together implement the interface. These
///         tests do, from the compiled artifacts (`methodIdentifiers` in out/), so a function added to either side or
///         to the interface is checked without editing this file:
///         - every interface function is served by exactly one of the two, or by both when ProverMarketBase declares it
///           (each inherits the base; the market's dispatcher serves those and the extension's copies are never reached);
///         - nothing else is in both (the extension's copy would be dead code, and the market's one would win);
///         - neither exposes an external function the interface lacks, apart from `_exceptions` below.
///         And the market's dispatch: what matches no function reverts, ETH is taken only by `submitRequest`.
contract ProverMarketConformanceTest is MarketFixture {
    string internal constant INTERFACE = "out/IProverMarket.sol/IProverMarket.json";
    string internal constant MARKET = "out/ProverMarket.sol/ProverMarket.json";
    string internal constant EXTENSION = "out/ProverMarketExtension.sol/ProverMarketExtension.json";
    /// @dev The extension forwards what it does not serve to `ProverMarketViews` (its fallback): for dispatch the two
    ///      are one side, "the extension".
    string internal constant VIEWS = "out/ProverMarketViews.sol/ProverMarketViews.json";
    string internal constant BASE = "out/ProverMarketBase.sol/ProverMarketBase.json";
    string internal constant BATCH = "out/ProverMarketBatch.sol/ProverMarketBatch.json";
    /// @dev The one function the market's fallback forwards to `ProverMarketBatch`.
    string internal constant FULFILL_BATCH = "fulfillBatch((address,uint32,uint8,uint8,uint8,uint40,uint40,uint32,address,uint96,uint96,uint96,uint64,uint64,bytes32,bytes32,uint16,uint32)[],uint256[8][],uint256[][])";

    string[] internal _interface;
    string[] internal _market;
    string[] internal _extension;
    string[] internal _base;
    /// @dev `ProverMarketBatch`'s own functions (not the base's).
    string[] internal _batch;

    /// @dev External functions of the implementation that `IProverMarket` deliberately lacks, and why.
    function _exceptions() internal pure returns (string[7] memory) {
        return [
            // Bounds that `proposeProtocolFee` and `setReserveParams` enforce: constants of this implementation, documented
            // with those setters; a client reads the current values through `params()`.
            "MAX_PROTOCOL_FEE_BPS()",
            "MIN_RESERVE_PERIOD()",
            "MAX_RESERVE_PERIOD()",
            "MAX_RESERVE_PER_UNIT()",
            // The layout version the market's constructor compares with its extension's: a deployment check between the
            // two halves, not part of the market's interface.
            "STORAGE_LAYOUT()",
            // The extension's pointers to its views half and to the code of `fulfillBatch` (set by its constructor):
            // part of the split, like the above.
            "views()",
            "batch()"
        ];
    }

    function setUp() public override {
        super.setUp();
        _interface = _methods(INTERFACE);
        _market = _methods(MARKET);
        _extension = _methods(EXTENSION);
        string[] memory v = _methods(VIEWS);
        for (uint256 i; i < v.length; ++i) {
            if (!_has(_extension, v[i])) _extension.push(v[i]);
        }
        _base = _methods(BASE);
        string[] memory b = _methods(BATCH);
        for (uint256 i; i < b.length; ++i) {
            if (!_has(_base, b[i])) _batch.push(b[i]);
        }
    }

    /// @dev The function signatures of a compiled contract (the keys of its `methodIdentifiers`).
    function _methods(string memory artifact) internal view returns (string[] memory sigs) {
        sigs = vm.parseJsonKeys(vm.readFile(artifact), ".methodIdentifiers");
        assertGt(sigs.length, 0, string.concat("no functions read from ", artifact));
    }

    function _has(string[] storage sigs, string memory sig) internal view returns (bool) {
        bytes4 selector = bytes4(keccak256(bytes(sig)));
        for (uint256 i; i < sigs.length; ++i) {
            if (bytes4(keccak256(bytes(sigs[i]))) == selector) return true;
        }
        return false;
    }

    function _isException(string memory sig) internal pure returns (bool) {
        string[7] memory e = _exceptions();
        for (uint256 i; i < e.length; ++i) {
            if (keccak256(bytes(e[i])) == keccak256(bytes(sig))) return true;
        }
        return false;
    }

    function test_everyInterfaceFunctionIsServedOnce() public view {
        for (uint256 i; i < _interface.length; ++i) {
            string memory sig = _interface[i];
            bool inMarket = _has(_market, sig);
            bool inExtension = _has(_extension, sig);
            if (_has(_base, sig)) {
                assertTrue(inMarket && inExtension, string.concat(sig, ": declared by ProverMarketBase, so in both"));
                continue;
            }
            bool inBatch = _has(_batch, sig);
            if (inBatch) {
                assertFalse(inMarket || inExtension, string.concat(sig, ": in ProverMarketBatch and elsewhere"));
                continue;
            }
            assertTrue(
                inMarket || inExtension,
                string.concat(
                    "IProverMarket.", sig, " is implemented by neither ProverMarket nor ProverMarketExtension"
                )
            );
            assertFalse(
                inMarket && inExtension,
                string.concat(
                    "IProverMarket.",
                    sig,
                    " is implemented by both ProverMarket and ProverMarketExtension (the extension's is unreachable)"
                )
            );
        }
    }

    function test_onlyBaseFunctionsAreInBoth() public view {
        for (uint256 i; i < _market.length; ++i) {
            string memory sig = _market[i];
            if (!_has(_extension, sig)) continue;
            assertTrue(
                _has(_base, sig),
                string.concat(sig, " is in both ProverMarket and ProverMarketExtension but not in ProverMarketBase")
            );
        }
    }

    function test_noExternalFunctionOutsideTheInterface() public view {
        for (uint256 i; i < _market.length; ++i) {
            assertTrue(
                _has(_interface, _market[i]) || _isException(_market[i]),
                string.concat("ProverMarket.", _market[i], " is not in IProverMarket")
            );
        }
        for (uint256 i; i < _extension.length; ++i) {
            assertTrue(
                _has(_interface, _extension[i]) || _isException(_extension[i]),
                string.concat("ProverMarketExtension.", _extension[i], " is not in IProverMarket")
            );
        }
    }

    /// @notice An exception that the interface gained, or that the contracts lost, is taken off the list.
    function test_exceptionsAreStillExceptions() public view {
        string[7] memory e = _exceptions();
        for (uint256 i; i < e.length; ++i) {
            assertTrue(_has(_market, e[i]) || _has(_extension, e[i]), string.concat(e[i], ": no longer implemented"));
            assertFalse(_has(_interface, e[i]), string.concat(e[i], ": now in IProverMarket, not an exception"));
        }
    }

    /// @notice `ProverMarketBatch` has exactly one function of its own, the one the market's fallback routes to it:
    ///         anything else there would be unreachable (the fallback sends every other selector to the extension).
    function test_batchServesOnlyFulfillBatch() public view {
        assertEq(_batch.length, 1, "ProverMarketBatch: functions besides the base's");
        assertEq(keccak256(bytes(_batch[0])), keccak256(bytes(FULFILL_BATCH)), _batch[0]);
        assertTrue(_has(_interface, FULFILL_BATCH), "fulfillBatch is in IProverMarket");
        assertEq(
            bytes32(bytes4(keccak256(bytes(FULFILL_BATCH)))),
            bytes32(IProverMarket.fulfillBatch.selector),
            "the selector the fallback routes"
        );
    }

    /// @notice The artifacts are the ones these tests mean: each side has functions of its own.
    function test_artifactsSplitTheInterface() public view {
        uint256 marketOnly;
        uint256 extensionOnly;
        for (uint256 i; i < _interface.length; ++i) {
            if (_has(_base, _interface[i])) continue;
            if (_has(_market, _interface[i])) ++marketOnly;
            if (_has(_extension, _interface[i])) ++extensionOnly;
        }
        assertGt(marketOnly, 0, "ProverMarket serves no interface function of its own");
        assertGt(extensionOnly, 0, "ProverMarketExtension serves no interface function of its own");
    }

    // =================================================================== dispatch

    function test_plainEthTransferReverts() public {
        (bool ok, bytes memory ret) = address(market).call{value: 1 ether}("");
        assertFalse(ok, "a plain ETH transfer was accepted");
        assertEq(ret.length, 0);
        (ok,) = address(market).call("");
        assertFalse(ok, "empty calldata was accepted");
        assertEq(address(market).balance, 0);
    }

    function test_unknownSelectorReverts() public {
        (bool ok,) = address(market).call{value: 1}(abi.encodeWithSelector(bytes4(0xdeadbeef), uint256(1)));
        assertFalse(ok, "an unknown selector with value was accepted");
        (ok,) = address(market).call(abi.encodeWithSelector(bytes4(0xdeadbeef), uint256(1)));
        assertFalse(ok, "an unknown selector was accepted");
    }

    /// @notice The fallback is payable; the extension's functions are not, and refuse a value themselves.
    function test_valueToAnExtensionFunctionReverts() public {
        bytes memory call = abi.encodeCall(IProverMarket.bidLane, (p1, 0));
        (bool ok,) = address(market).call{value: 1}(call);
        assertFalse(ok, "an extension function took ETH");
        (ok,) = address(market).call(call);
        assertTrue(ok, "the same call without value");
        assertEq(address(market).balance, 0);
    }
}
