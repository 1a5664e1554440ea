"""bench/stats.py - the one way refstor's benchmarks judge a ratio: the
median of paired ratios, with a bootstrap confidence interval.

A pair is two measurements taken seconds apart in the same repeat (an
implementation and its baseline, in an order that alternates between
repeats), so that drift over time - other load, caches, the host under a
VM - shows in both halves of a pair and cancels in its ratio.  The
interval is the percentile bootstrap of the median over the repeats
(resampled with replacement, a fixed seed so that the same data always
prints the same interval).  A goal is met only when the interval's lower
bound clears it: a median above the goal whose interval reaches below it
has not shown anything.
"""
import random
import statistics

RESAMPLES = 10000
SEED = 1


def paired_ratios(num, den):
    """num[i] / den[i] for each repeat i where both exist and den[i] > 0.
    num and den: dicts repeat -> value."""
    return [num[k] / den[k] for k in sorted(num) if k in den and den[k] > 0]


# Fewer repeats than this give no interval: the bootstrap of 2 to 4 values
# only echoes them, which would read as a precision never measured.
MIN_REPEATS = 5


def median_ci(xs, level=0.95, resamples=RESAMPLES, seed=SEED):
    """(median, low, high) of xs: the median and its percentile-bootstrap
    interval at level; (median, None, None) with fewer than MIN_REPEATS
    values, (None, None, None) with none."""
    if not xs:
        return None, None, None
    m = statistics.median(xs)
    if len(xs) < MIN_REPEATS:
        return m, None, None
    rng = random.Random(seed)
    n = len(xs)
    meds = sorted(statistics.median(rng.choices(xs, k=n)) for _ in range(resamples))
    lo = meds[int((1 - level) / 2 * resamples)]
    hi = meds[min(resamples - 1, int((1 + level) / 2 * resamples))]
    return m, lo, hi


def fmt_ci(m, lo, hi):
    """'0.995 [0.987, 1.003]', or '-' when there is nothing."""
    if m is None:
        return "-"
    if lo is None:
        return f"{m:.3f} [no CI: n<{MIN_REPEATS}]"
    return f"{m:.3f} [{lo:.3f}, {hi:.3f}]"


def half_width(m, lo, hi):
    """The interval's larger half-width, relative to the median (0.012 is ±1.2%)."""
    if not m or lo is None:
        return None
    return max(m - lo, hi - m) / m


def judge(m, lo, goal, median_goal=None):
    """'met' when the lower bound clears goal (and the median median_goal,
    if given); 'MISSED' otherwise; 'not measured' without data, 'not
    judged' without an interval."""
    if m is None:
        return "not measured"
    if lo is None:
        return f"not judged (fewer than {MIN_REPEATS} repeats)"
    ok = lo >= goal and (median_goal is None or m >= median_goal)
    return "met" if ok else "MISSED"
