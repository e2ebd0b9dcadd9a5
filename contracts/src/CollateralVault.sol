// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICollateralVault} from "./interfaces/ICollateralVault.sol";
import {Owned} from "./utils/Owned.sol";
import {ReentrancyGuard} from "./utils/ReentrancyGuard.sol";
import {SafeTransferLib} from "solady/utils/SafeTransferLib.sol";

/// @title CollateralVault
/// @notice Prover collateral in ETH and ERC-20 restaking receipt tokens, with free / locked / pending / claimable
///         balances. Only the market locks, unlocks and slashes; withdrawals go through an unbonding delay.
/// @dev Free and locked share one slot per (account, asset) so a lock or unlock is a single SSTORE.
contract CollateralVault is ICollateralVault, Owned, ReentrancyGuard {
    /// @notice Bounds on the unbonding delay the owner may set.
    uint256 public constant MIN_UNBONDING_DELAY = 1 hours;
    uint256 public constant MAX_UNBONDING_DELAY = 60 days;
    /// @notice Asset ids are uint8 and asset 0 is ETH.
    uint256 public constant MAX_ASSETS = 32;

    /// @inheritdoc ICollateralVault
    address public market;
    /// @inheritdoc ICollateralVault
    uint256 public unbondingDelay;

    address[] private _assets;
    mapping(address => bool) private _listed;
    mapping(address => mapping(uint8 => Balance)) private _balances;
    mapping(address => mapping(uint8 => PendingWithdrawal)) private _pending;
    mapping(address => mapping(uint8 => uint256)) private _claimable;

    /// @param initialOwner Owner of the parameters (asset list, unbonding delay, one-time market binding).
    /// @param unbondingDelay_ Initial unbonding delay.
    constructor(address initialOwner, uint256 unbondingDelay_) Owned(initialOwner) {
        _checkDelay(unbondingDelay_);
        unbondingDelay = unbondingDelay_;
        _assets.push(address(0));
        emit AssetAdded(0, address(0));
        emit UnbondingDelaySet(0, unbondingDelay_);
    }

    modifier onlyMarket() {
        if (msg.sender != market) revert OnlyMarket(msg.sender);
        _;
    }

    // ------------------------------------------------------------------ owner

    /// @notice Binds the market, once.
    function setMarket(address market_) external onlyOwner {
        if (market != address(0)) revert MarketAlreadySet(market);
        if (market_ == address(0)) revert ZeroAddress();
        market = market_;
        emit MarketSet(market_);
    }

    /// @notice Allowlists an ERC-20 collateral token (e.g. a liquid restaking receipt token).
    /// @return assetId The new asset's id.
    function addAsset(address token) external onlyOwner returns (uint8 assetId) {
        if (token == address(0)) revert EthIsAssetZero();
        if (_listed[token]) revert AssetAlreadyListed(token);
        if (_assets.length >= MAX_ASSETS) revert TooManyAssets();
        assetId = uint8(_assets.length);
        _assets.push(token);
        _listed[token] = true;
        emit AssetAdded(assetId, token);
    }

    /// @notice Sets the unbonding delay for withdrawals requested from now on.
    function setUnbondingDelay(uint256 delay) external onlyOwner {
        _checkDelay(delay);
        emit UnbondingDelaySet(unbondingDelay, delay);
        unbondingDelay = delay;
    }

    // ------------------------------------------------------------------ provers

    /// @inheritdoc ICollateralVault
    function depositEth() external payable nonReentrant {
        if (msg.value == 0) revert ZeroAmount();
        _credit(msg.sender, 0, msg.value);
    }

    /// @inheritdoc ICollateralVault
    function depositToken(uint8 assetId, uint256 amount) external nonReentrant {
        if (assetId == 0) revert EthIsAssetZero();
        address token = _token(assetId);
        if (amount == 0) revert ZeroAmount();
        uint256 before = SafeTransferLib.balanceOf(token, address(this));
        SafeTransferLib.safeTransferFrom(token, msg.sender, address(this), amount);
        // Credit what actually arrived (fee-on-transfer tokens); the balance cannot decrease across our own pull.
        uint256 received = SafeTransferLib.balanceOf(token, address(this)) - before;
        if (received == 0) revert ZeroAmount();
        _credit(msg.sender, assetId, received);
    }

    /// @inheritdoc ICollateralVault
    function requestWithdrawal(uint8 assetId, uint256 amount) external nonReentrant {
        _token(assetId);
        if (amount == 0) revert ZeroAmount();
        Balance memory b = _balances[msg.sender][assetId];
        if (amount > b.free) revert InsufficientFree(msg.sender, assetId, amount, b.free);
        PendingWithdrawal memory p = _pending[msg.sender][assetId];
        // amount <= free < 2^128 and pending + free <= total supply of the asset held here, far below 2^128.
        unchecked {
            b.free -= uint128(amount);
            p.amount += uint128(amount);
        }
        p.unlocksAt = uint40(block.timestamp + unbondingDelay);
        _balances[msg.sender][assetId] = b;
        _pending[msg.sender][assetId] = p;
        emit WithdrawalRequested(msg.sender, assetId, amount, p.amount, p.unlocksAt, b.free);
    }

    /// @inheritdoc ICollateralVault
    function cancelWithdrawal(uint8 assetId) external nonReentrant {
        PendingWithdrawal memory p = _pending[msg.sender][assetId];
        if (p.amount == 0) revert NoPendingWithdrawal(msg.sender, assetId);
        delete _pending[msg.sender][assetId];
        Balance memory b = _balances[msg.sender][assetId];
        b.free += p.amount;
        _balances[msg.sender][assetId] = b;
        emit WithdrawalCancelled(msg.sender, assetId, p.amount, b.free);
    }

    /// @inheritdoc ICollateralVault
    function completeWithdrawal(uint8 assetId, address to) external nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        PendingWithdrawal memory p = _pending[msg.sender][assetId];
        if (p.amount == 0) revert NoPendingWithdrawal(msg.sender, assetId);
        if (block.timestamp < p.unlocksAt) revert StillUnbonding(p.unlocksAt, block.timestamp);
        delete _pending[msg.sender][assetId];
        emit WithdrawalCompleted(msg.sender, assetId, to, p.amount);
        _send(assetId, to, p.amount);
    }

    // ------------------------------------------------------------------ claimable

    /// @inheritdoc ICollateralVault
    function claim(uint8 assetId, uint256 amount, address to) external nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        _debitClaimable(msg.sender, assetId, amount);
        emit Claimed(msg.sender, assetId, to, amount);
        _send(assetId, to, amount);
    }

    /// @inheritdoc ICollateralVault
    function transferClaimable(uint8 assetId, address to, uint256 amount) external nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        _debitClaimable(msg.sender, assetId, amount);
        _claimable[to][assetId] += amount;
        emit ClaimableTransferred(msg.sender, to, assetId, amount);
    }

    // ------------------------------------------------------------------ market

    /// @inheritdoc ICollateralVault
    function lock(address account, uint8 assetId, uint256 amount) external onlyMarket {
        Balance storage s = _balances[account][assetId];
        (uint256 free, uint256 locked) = _read(s);
        if (amount > free) {
            if (assetId >= _assets.length) revert UnknownAsset(assetId);
            revert InsufficientFree(account, assetId, amount, free);
        }
        // amount <= free; free + locked never exceeds what was deposited, far below 2^128.
        unchecked {
            free -= amount;
            locked += amount;
        }
        _write(s, free, locked);
        emit Locked(account, assetId, amount, free, locked);
    }

    /// @inheritdoc ICollateralVault
    function unlock(address account, uint8 assetId, uint256 amount) external onlyMarket {
        Balance storage s = _balances[account][assetId];
        (uint256 free, uint256 locked) = _read(s);
        if (amount > locked) revert InsufficientLocked(account, assetId, amount, locked);
        // amount <= locked; see lock().
        unchecked {
            locked -= amount;
            free += amount;
        }
        _write(s, free, locked);
        emit Unlocked(account, assetId, amount, free, locked);
    }

    /// @inheritdoc ICollateralVault
    function slash(address account, uint8 assetId, uint256 amount, address beneficiary, bytes32 reason)
        external
        onlyMarket
    {
        if (beneficiary == address(0)) revert ZeroAddress();
        Balance memory b = _balances[account][assetId];
        if (amount > b.locked) revert InsufficientLocked(account, assetId, amount, b.locked);
        // amount <= locked.
        unchecked {
            b.locked -= uint128(amount);
        }
        _balances[account][assetId] = b;
        _claimable[beneficiary][assetId] += amount;
        emit Slashed(account, assetId, amount, beneficiary, b.locked, reason);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ICollateralVault
    function assetCount() external view returns (uint8) {
        return uint8(_assets.length);
    }

    /// @inheritdoc ICollateralVault
    function assetToken(uint8 assetId) external view returns (address) {
        return _token(assetId);
    }

    /// @inheritdoc ICollateralVault
    function freeBalance(address account, uint8 assetId) external view returns (uint256) {
        return _balances[account][assetId].free;
    }

    /// @inheritdoc ICollateralVault
    function lockedBalance(address account, uint8 assetId) external view returns (uint256) {
        return _balances[account][assetId].locked;
    }

    /// @inheritdoc ICollateralVault
    function claimableBalance(address account, uint8 assetId) external view returns (uint256) {
        return _claimable[account][assetId];
    }

    /// @inheritdoc ICollateralVault
    function accountView(address account, uint8 assetId) external view returns (AccountView memory v) {
        Balance memory b = _balances[account][assetId];
        PendingWithdrawal memory p = _pending[account][assetId];
        v = AccountView(b.free, b.locked, p.amount, p.unlocksAt, _claimable[account][assetId]);
    }

    // ------------------------------------------------------------------ internals

    /// @dev One SLOAD of a `Balance` (free in the low 128 bits, locked in the high 128 bits, as Solidity packs it).
    function _read(Balance storage s) private view returns (uint256 free, uint256 locked) {
        assembly ("memory-safe") {
            let w := sload(s.slot)
            free := and(w, 0xffffffffffffffffffffffffffffffff)
            locked := shr(128, w)
        }
    }

    /// @dev One SSTORE of a `Balance`; both values are below 2^128 (see the callers).
    function _write(Balance storage s, uint256 free, uint256 locked) private {
        assembly ("memory-safe") {
            sstore(s.slot, or(free, shl(128, locked)))
        }
    }

    function _token(uint8 assetId) private view returns (address) {
        if (assetId >= _assets.length) revert UnknownAsset(assetId);
        return _assets[assetId];
    }

    function _credit(address account, uint8 assetId, uint256 amount) private {
        Balance memory b = _balances[account][assetId];
        uint256 free = uint256(b.free) + amount;
        if (free + b.locked > type(uint128).max) revert AmountTooLarge(amount);
        b.free = uint128(free);
        _balances[account][assetId] = b;
        emit Deposited(account, assetId, amount, free);
    }

    function _debitClaimable(address account, uint8 assetId, uint256 amount) private {
        if (amount == 0) revert ZeroAmount();
        uint256 c = _claimable[account][assetId];
        if (amount > c) revert InsufficientClaimable(account, assetId, amount, c);
        // amount <= c.
        unchecked {
            _claimable[account][assetId] = c - amount;
        }
    }

    function _send(uint8 assetId, address to, uint256 amount) private {
        if (assetId == 0) SafeTransferLib.safeTransferETH(to, amount);
        else SafeTransferLib.safeTransfer(_token(assetId), to, amount);
    }

    function _checkDelay(uint256 delay) private pure {
        if (delay < MIN_UNBONDING_DELAY || delay > MAX_UNBONDING_DELAY) {
            revert UnbondingDelayOutOfRange(delay, MIN_UNBONDING_DELAY, MAX_UNBONDING_DELAY);
        }
    }
}
