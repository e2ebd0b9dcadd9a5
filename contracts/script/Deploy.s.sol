// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "../test/utils/Vm.sol";
import {CircuitRegistry} from "../src/CircuitRegistry.sol";
import {CollateralVault} from "../src/CollateralVault.sol";
import {ProverMarket} from "../src/ProverMarket.sol";
import {ProverMarketExtension} from "../src/market/ProverMarketExtension.sol";

/// @title Deploy
/// @notice Deploys CircuitRegistry + CollateralVault + ProverMarket (with its extension and ask book), binds the vault
///         to the market, and writes a deployment JSON for the C# worker and the demo.
/// @dev Usage (anvil): `forge script contracts/script/Deploy.s.sol --rpc-url http://127.0.0.1:8545 --broadcast`.
///      Environment (all optional): PRIVATE_KEY (default: anvil account 0), OWNER and TREASURY (default: the
///      deployer), UPGRADE_DELAY (seconds, default 3600), UNBONDING_DELAY (seconds, default 3600),
///      DEPLOYMENT_JSON (default `.pmc/deployment.json`).
contract Deploy {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    /// @dev anvil's first default account; only a default for local chains.
    uint256 internal constant ANVIL_KEY_0 = 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80;

    struct Deployment {
        address registry;
        address vault;
        address market;
        address extension;
        address askBook;
        address owner;
        address treasury;
    }

    function run() external returns (Deployment memory d) {
        uint256 key = vm.envOr("PRIVATE_KEY", ANVIL_KEY_0);
        address deployer = vm.addr(key);
        d.owner = vm.envOr("OWNER", deployer);
        d.treasury = vm.envOr("TREASURY", deployer);
        uint256 upgradeDelay = vm.envOr("UPGRADE_DELAY", uint256(1 hours));
        uint256 unbondingDelay = vm.envOr("UNBONDING_DELAY", uint256(1 hours));
        string memory path = vm.envOr("DEPLOYMENT_JSON", string(".pmc/deployment.json"));

        vm.startBroadcast(key);
        CircuitRegistry registry = new CircuitRegistry(upgradeDelay);
        // The deployer owns the vault until the market is bound, then hands it to OWNER.
        CollateralVault vault = new CollateralVault(deployer, unbondingDelay);
        ProverMarketExtension ext = new ProverMarketExtension(registry, vault);
        ProverMarket market = new ProverMarket(d.owner, registry, vault, d.treasury, address(ext));
        vault.setMarket(address(market));
        if (d.owner != deployer) vault.transferOwnership(d.owner);
        vm.stopBroadcast();

        d.registry = address(registry);
        d.vault = address(vault);
        d.market = address(market);
        d.extension = address(ext);
        d.askBook = address(market.askBook());
        vm.writeFile(path, _json(d, upgradeDelay, unbondingDelay));
    }

    function _json(Deployment memory d, uint256 upgradeDelay, uint256 unbondingDelay)
        internal
        view
        returns (string memory)
    {
        return string.concat(
            "{\n",
            '  "chainId": ',
            vm.toString(block.chainid),
            ",\n",
            '  "deployBlock": ',
            vm.toString(block.number),
            ",\n",
            '  "circuitRegistry": "',
            vm.toString(d.registry),
            '",\n',
            '  "collateralVault": "',
            vm.toString(d.vault),
            '",\n',
            '  "proverMarket": "',
            vm.toString(d.market),
            '",\n',
            '  "proverMarketExtension": "',
            vm.toString(d.extension),
            '",\n',
            '  "askBook": "',
            vm.toString(d.askBook),
            '",\n',
            '  "owner": "',
            vm.toString(d.owner),
            '",\n',
            '  "treasury": "',
            vm.toString(d.treasury),
            '",\n',
            '  "upgradeDelaySeconds": ',
            vm.toString(upgradeDelay),
            ",\n",
            '  "unbondingDelaySeconds": ',
            vm.toString(unbondingDelay),
            "\n",
            "}\n"
        );
    }
}
