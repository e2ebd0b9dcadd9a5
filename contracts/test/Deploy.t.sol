// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {Deploy} from "../script/Deploy.s.sol";
import {CollateralVault} from "../src/CollateralVault.sol";
import {IProverMarket} from "../src/interfaces/IProverMarket.sol";
import {ProverMarket} from "../src/ProverMarket.sol";
import {ProverMarketExtension} from "../src/market/ProverMarketExtension.sol";
import {CircuitRegistry} from "../src/CircuitRegistry.sol";
import {ICircuitRegistry} from "../src/interfaces/ICircuitRegistry.sol";
import {ICollateralVault} from "../src/interfaces/ICollateralVault.sol";

/// @notice Stands in for an extension built from other sources: same wiring, another storage layout.
contract OtherLayoutExtension {
    address public immutable registry;
    address public immutable vault;

    constructor(address registry_, address vault_) {
        registry = registry_;
        vault = vault_;
    }

    function STORAGE_LAYOUT() external pure returns (uint16) {
        return 1;
    }
}

contract DeployTest is Test {
    function test_deploy_wiresContractsAndWritesJson() public {
        vm.setEnv("DEPLOYMENT_JSON", "out/deploy-test.json");
        vm.setEnv("TREASURY", "0x00000000000000000000000000000000000000Aa");
        Deploy script = new Deploy();
        Deploy.Deployment memory d = script.run();
        string memory json = vm.readFile("out/deploy-test.json");
        assertEq(vm.parseJsonAddress(json, ".proverMarket"), d.market);
        assertEq(vm.parseJsonAddress(json, ".collateralVault"), d.vault);
        assertEq(vm.parseJsonAddress(json, ".circuitRegistry"), d.registry);
        assertEq(vm.parseJsonAddress(json, ".askBook"), d.askBook);
        assertEq(vm.parseJsonUint(json, ".chainId"), block.chainid);
        assertEq(CollateralVault(payable(d.vault)).market(), d.market, "vault bound to market");
        IProverMarket m = IProverMarket(d.market);
        assertEq(m.vault(), d.vault);
        assertEq(m.registry(), d.registry);
        assertEq(m.extension(), d.extension);
        (address treasury,,,,,,) = m.params(); // served by the extension through the fallback
        assertEq(treasury, address(0xAa));
    }

    /// @dev The extension runs on the market's storage: one built for another registry, vault or storage layout (or
    ///      no contract at all) is refused at deployment.
    function test_constructor_refusesAMismatchedExtension() public {
        CircuitRegistry registry = new CircuitRegistry(1 days);
        CollateralVault vault = new CollateralVault(address(this), 7 days);
        ICircuitRegistry r = ICircuitRegistry(address(registry));
        ICollateralVault v = ICollateralVault(address(vault));
        address good = address(new ProverMarketExtension(r, v));
        address[4] memory bad = [
            address(new ProverMarketExtension(ICircuitRegistry(address(new CircuitRegistry(1 days))), v)),
            address(
                new ProverMarketExtension(r, ICollateralVault(address(new CollateralVault(address(this), 7 days))))
            ),
            address(new OtherLayoutExtension(address(registry), address(vault))),
            address(0xBEEF)
        ];
        for (uint256 i; i < bad.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(ProverMarket.ExtensionMismatch.selector, bad[i]));
            new ProverMarket(address(this), r, v, address(0xAa), bad[i]);
        }
        ProverMarket m = new ProverMarket(address(this), r, v, address(0xAa), good);
        assertEq(m.extension(), good);
        assertEq(m.STORAGE_LAYOUT(), 3);
    }
}
