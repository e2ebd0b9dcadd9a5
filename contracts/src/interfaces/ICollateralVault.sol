// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ICollateralVault
/// @notice Holds prover collateral in ETH (asset 0) and allowlisted ERC-20 restaking receipt tokens (assets 1..n).
///         Each account has, per asset, a free balance, a locked balance (only the market may lock, unlock and slash
///         it), a pending withdrawal that matures after the unbonding delay, and a claimable balance (slash proceeds
///         credited to requesters, bounties, the treasury) that can be withdrawn at once.
/// @dev Invariant: for every asset, the vault's holdings equal the sum over accounts of
///      free + locked + pending + claimable.
interface ICollateralVault {
    /// @notice Per-account, per-asset collateral balances.
    struct Balance {
        uint128 free;
        uint128 locked;
    }

    /// @notice A withdrawal waiting for its unbonding delay.
    struct PendingWithdrawal {
        uint128 amount;
        uint40 unlocksAt;
    }

    /// @notice Everything about one account and asset, for indexers and off-chain clients.
    struct AccountView {
        uint256 free;
        uint256 locked;
        uint256 pending;
        uint256 unlocksAt;
        uint256 claimable;
    }

    event AssetAdded(uint8 indexed assetId, address indexed token);
    event MarketSet(address indexed market);
    event UnbondingDelaySet(uint256 previousDelay, uint256 newDelay);
    event Deposited(address indexed account, uint8 indexed assetId, uint256 amount, uint256 newFree);
    event WithdrawalRequested(
        address indexed account,
        uint8 indexed assetId,
        uint256 amount,
        uint256 totalPending,
        uint40 unlocksAt,
        uint256 newFree
    );
    event WithdrawalCancelled(address indexed account, uint8 indexed assetId, uint256 amount, uint256 newFree);
    event WithdrawalCompleted(address indexed account, uint8 indexed assetId, address indexed to, uint256 amount);
    event Locked(address indexed account, uint8 indexed assetId, uint256 amount, uint256 newFree, uint256 newLocked);
    event Unlocked(address indexed account, uint8 indexed assetId, uint256 amount, uint256 newFree, uint256 newLocked);
    /// @param reason The market's request id.
    event Slashed(
        address indexed account,
        uint8 indexed assetId,
        uint256 amount,
        address indexed beneficiary,
        uint256 newLocked,
        bytes32 reason
    );
    event ClaimableTransferred(address indexed from, address indexed to, uint8 indexed assetId, uint256 amount);
    event Claimed(address indexed account, uint8 indexed assetId, address to, uint256 amount);

    error OnlyMarket(address caller);
    error MarketAlreadySet(address market);
    error UnknownAsset(uint8 assetId);
    error AssetAlreadyListed(address token);
    error TooManyAssets();
    error ZeroAddress();
    error ZeroAmount();
    error WrongEthValue(uint256 sent);
    error EthIsAssetZero();
    error InsufficientFree(address account, uint8 assetId, uint256 requested, uint256 available);
    error InsufficientLocked(address account, uint8 assetId, uint256 requested, uint256 available);
    error InsufficientClaimable(address account, uint8 assetId, uint256 requested, uint256 available);
    error NoPendingWithdrawal(address account, uint8 assetId);
    error StillUnbonding(uint40 unlocksAt, uint256 nowTs);
    error UnbondingDelayOutOfRange(uint256 delay, uint256 min, uint256 max);
    error AmountTooLarge(uint256 amount);

    // ------------------------------------------------------------------ provers
    /// @notice Deposits ETH as free collateral of the caller.
    function depositEth() external payable;
    /// @notice Deposits `amount` of ERC-20 asset `assetId` (pulled with transferFrom; the amount received is credited).
    function depositToken(uint8 assetId, uint256 amount) external;
    /// @notice Moves `amount` from free into a pending withdrawal that matures after the unbonding delay.
    /// @dev Adding to an existing pending withdrawal restarts its delay.
    function requestWithdrawal(uint8 assetId, uint256 amount) external;
    /// @notice Returns the whole pending withdrawal to free collateral.
    function cancelWithdrawal(uint8 assetId) external;
    /// @notice Pays out a matured pending withdrawal to `to`.
    function completeWithdrawal(uint8 assetId, address to) external;

    // ------------------------------------------------------------------ claimable balances
    /// @notice Pays out `amount` of the caller's claimable balance to `to`.
    function claim(uint8 assetId, uint256 amount, address to) external;
    /// @notice Moves `amount` of the caller's claimable balance to `to`'s claimable balance.
    function transferClaimable(uint8 assetId, address to, uint256 amount) external;

    // ------------------------------------------------------------------ market only
    /// @notice Moves free collateral to locked.
    function lock(address account, uint8 assetId, uint256 amount) external;
    /// @notice Moves locked collateral back to free.
    function unlock(address account, uint8 assetId, uint256 amount) external;
    /// @notice Takes `amount` of locked collateral and credits it to `beneficiary`'s claimable balance.
    function slash(address account, uint8 assetId, uint256 amount, address beneficiary, bytes32 reason) external;

    // ------------------------------------------------------------------ views
    /// @notice The only contract allowed to lock, unlock and slash.
    function market() external view returns (address);
    /// @notice Seconds between `requestWithdrawal` and `completeWithdrawal`.
    function unbondingDelay() external view returns (uint256);
    /// @notice Number of collateral assets (ids 0..count-1; 0 is ETH).
    function assetCount() external view returns (uint8);
    /// @notice The ERC-20 behind an asset id (zero address for ETH).
    function assetToken(uint8 assetId) external view returns (address);
    /// @notice Collateral the market may lock.
    function freeBalance(address account, uint8 assetId) external view returns (uint256);
    /// @notice Collateral locked for the market (slashable): what backs its bids and jobs, plus the account's bond
    ///         balance there (`IProverMarket.bondBalance`), which backs nothing yet.
    function lockedBalance(address account, uint8 assetId) external view returns (uint256);
    /// @notice Slash proceeds and bounties withdrawable at once with `claim`.
    function claimableBalance(address account, uint8 assetId) external view returns (uint256);
    /// @notice Every balance of one account in one asset.
    function accountView(address account, uint8 assetId) external view returns (AccountView memory);
}
