// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "./utils/Test.sol";
import {Deploy} from "../script/Deploy.s.sol";
import {CollateralVault} from "../src/CollateralVault.sol";
import {IProverMarket} from "../src/interfaces/IProverMarket.sol";

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
}
