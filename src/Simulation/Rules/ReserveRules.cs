namespace ProverMarketChain.Simulation.Rules;

/// <summary>
/// The reserve price rules of <c>contracts/src/libraries/ReserveLib.sol</c> in exact integer arithmetic (every product
/// of the contract's ranges fits 128 bits): an EIP-1559-style step of at most 1/8 per period toward the target, idle
/// periods, the clamp, and the reverse-Dutch ramp.
/// </summary>
public static class ReserveRules
{
    /// <summary><c>ReserveLib.CHANGE_DENOMINATOR</c>.</summary>
    public const ulong ChangeDenominator = 8;

    /// <summary><c>ReserveLib.MAX_IDLE_STEPS</c>.</summary>
    public const ulong MaxIdleSteps = 64;

    /// <summary><c>ReserveLib.step</c>.</summary>
    public static ulong Step(ulong reserve, ulong used, ulong target)
    {
        if (target == 0) throw new ArgumentException("target must be positive", nameof(target));
        if (used > target)
        {
            ulong excess = Math.Min(used - target, target);
            var delta = (UInt128)reserve * excess / target / ChangeDenominator;
            return reserve + (delta == 0 ? 1UL : (ulong)delta);
        }
        return reserve - (ulong)((UInt128)reserve * (target - used) / target / ChangeDenominator);
    }

    /// <summary><c>ReserveLib.roll</c>.</summary>
    public static ulong Roll(ulong reserve, ulong used, ulong target, ulong idlePeriods, ulong minR, ulong maxR)
    {
        ulong r = Step(reserve, used, target);
        if (idlePeriods > MaxIdleSteps) idlePeriods = MaxIdleSteps;
        for (ulong i = 0; i < idlePeriods && r > minR; i++) r -= r / ChangeDenominator;
        if (r < minR) r = minR;
        if (r > maxR) r = maxR;
        return r;
    }

    /// <summary><c>ReserveLib.ramp</c>: linear from <paramref name="start"/> at <paramref name="from"/> to <paramref name="end"/> at <paramref name="until"/>.</summary>
    public static ulong Ramp(ulong start, ulong end, ulong from, ulong until, ulong now)
    {
        if (now >= until || end <= start) return end;
        if (now <= from) return start;
        return start + (ulong)((UInt128)(end - start) * (now - from) / (until - from));
    }
}

/// <summary>Reserve parameters of the market (<c>ProverMarket</c>'s constructor defaults unless a scenario says otherwise).</summary>
/// <param name="PeriodSeconds">Reserve period (1 hour at deployment).</param>
/// <param name="MinPerUnit">Floor per proving unit, wei (1).</param>
/// <param name="MaxPerUnit">Cap per proving unit, wei (<c>MAX_RESERVE_PER_UNIT</c> = 1e12).</param>
/// <param name="TargetUnits">Default target utilisation per period (2^24 units).</param>
public sealed record ReserveParams(ulong PeriodSeconds = 3600, ulong MinPerUnit = 1, ulong MaxPerUnit = 1_000_000_000_000, ulong TargetUnits = 1UL << 24);

/// <summary>
/// One circuit's reserve state as <c>ProverMarketBase._rolledFees</c> and <c>_bookUnits</c> keep it: initialised at the
/// first submission, rolled when a period has ended, booked only with fulfilled units.
/// </summary>
public sealed class ReserveState(ReserveParams parameters, ulong provingUnits)
{
    private ulong _perUnit;
    private ulong _periodEnd;
    private ulong _used;

    /// <summary>Reserve per unit now (after rolling to <paramref name="now"/>).</summary>
    public ulong PerUnit(ulong now)
    {
        Roll(now);
        return _perUnit;
    }

    /// <summary>The reserve fee of one job now (<c>_reserveFee</c>).</summary>
    public ulong Fee(ulong now) => PerUnit(now) * provingUnits;

    /// <summary>Books <paramref name="jobs"/> fulfilled jobs at <paramref name="now"/> (<c>_bookUnits</c>).</summary>
    public void Book(ulong now, ulong jobs = 1)
    {
        Roll(now);
        var used = (UInt128)_used + (UInt128)provingUnits * jobs;
        _used = used > ulong.MaxValue ? ulong.MaxValue : (ulong)used;
    }

    private void Roll(ulong now)
    {
        if (_periodEnd == 0)
        {
            _perUnit = parameters.MinPerUnit;
            _periodEnd = now + parameters.PeriodSeconds;
            return;
        }
        if (now < _periodEnd) return;
        ulong idle = (now - _periodEnd) / parameters.PeriodSeconds;
        _perUnit = ReserveRules.Roll(_perUnit, _used, parameters.TargetUnits, idle, parameters.MinPerUnit, parameters.MaxPerUnit);
        _periodEnd += (idle + 1) * parameters.PeriodSeconds;
        _used = 0;
    }
}
