"""The demo's per-track draws, made in one compiled loop from the bits numpy would have used.

Titles and markets were drawn one track at a time (``rng.integers``, ``rng.choice(...,
replace=False)``, ``rng.random()``): about 30 µs a track, half of the time it took to write a
million tracks. These kernels replay numpy 1.26's algorithms on the same PCG64 output, so the
values (and the demo's bytes) stay as they were: bounded integers by Lemire's method on 32-bit
draws, each 64-bit output giving its low half first and keeping its high half for the next 32-bit
draw (which a 64-bit draw leaves waiting); ``choice`` without replacement as Floyd's sampling
then a shuffle of the sample; ``random`` as the top 53 bits of one output. The tests compare each
kernel with numpy's calls, rejected draws included.
"""

from __future__ import annotations

import numba
import numpy as np

# Spare 64-bit outputs beyond the most a track uses, for the rare rejected 32-bit draws.
SPARE_OUTPUTS = 64


@numba.njit(cache=True)
def _next32(halves, at):
    """The next 32-bit draw. ``halves``: the outputs as (low, high) 32-bit pairs; ``at``: the
    next output, whether a high half is waiting (1) and that half."""
    if at[1]:
        at[1] = 0
        return at[2]
    if 2 * at[0] >= halves.size:
        raise IndexError("the replay ran out of drawn bits")
    at[2] = np.int64(halves[2 * at[0] + 1])
    at[1] = 1
    at[0] += 1
    return np.int64(halves[2 * at[0] - 2])


@numba.njit(cache=True)
def _below(halves, at, r):
    """An integer in [0, r) as numpy draws one (Lemire's method, the biased few redrawn)."""
    m = _next32(halves, at) * r
    if (m & 0xFFFFFFFF) < r:
        threshold = (0x100000000 - r) % r
        while (m & 0xFFFFFFFF) < threshold:
            m = _next32(halves, at) * r
    return m >> 32


@numba.njit(cache=True)
def _uniform(halves, at):
    """A float in [0, 1) from the next whole output, as ``rng.random()``."""
    if 2 * at[0] >= halves.size:
        raise IndexError("the replay ran out of drawn bits")
    top = (np.int64(halves[2 * at[0] + 1]) << 21) | (np.int64(halves[2 * at[0]]) >> 11)
    at[0] += 1
    return top * (1.0 / 9007199254740992.0)


@numba.njit(cache=True)
def _samples(halves, at, population, low, high, out, counts):
    """Per row: ``k = rng.integers(low, high)``, then ``rng.choice(population, k,
    replace=False)`` into ``out[row, :k]``."""
    for row in range(counts.size):
        k = low + _below(halves, at, high - low)
        counts[row] = k
        first = population - k
        for j in range(first, population):  # Floyd: j itself when the draw is already taken
            value = _below(halves, at, j + 1)
            for taken in range(j - first):
                if out[row, taken] == value:
                    value = j
                    break
            out[row, j - first] = value
        for i in range(k - 1, 0, -1):
            j = _below(halves, at, i + 1)
            out[row, i], out[row, j] = out[row, j], out[row, i]


@numba.njit(cache=True)
def _words_and_rolls(halves, at, n_words, low, high, out, counts, rolls):
    """Per row: ``rng.integers(0, n_words, size=rng.integers(low, high))`` into ``out[row]``,
    then ``rng.random()`` into ``rolls``."""
    for row in range(counts.size):
        k = low + _below(halves, at, high - low)
        counts[row] = k
        for i in range(k):
            out[row, i] = _below(halves, at, n_words)
        rolls[row] = _uniform(halves, at)


def _replay(rng: np.random.Generator, outputs_per_row: int, kernel, n: int, *args) -> None:
    """Run ``kernel`` over ``n`` rows on the outputs ``rng`` would give, then leave ``rng``
    exactly as numpy's own calls would have (advanced, the waiting half kept)."""
    bits = rng.bit_generator
    start = bits.state
    raw = bits.random_raw(outputs_per_row * n + SPARE_OUTPUTS)
    at = np.array([0, start["has_uint32"], start["uinteger"]], dtype=np.int64)
    kernel(raw.view(np.uint32), at, *args)
    bits.state = start
    bits.advance(int(at[0]))  # which drops a waiting half: put it back
    bits.state = {**bits.state, "has_uint32": int(at[1]), "uinteger": int(at[2])}


def samples(rng: np.random.Generator, n: int, population: int, low: int, high: int):
    """For each of ``n`` rows, ``rng.choice(population, rng.integers(low, high),
    replace=False)``: (n x high-1 array of choices, each row's count)."""
    out = np.zeros((n, high - 1), dtype=np.int64)
    counts = np.empty(n, dtype=np.int64)
    _replay(rng, high - 1, _samples, n, population, low, high, out, counts)
    return out, counts


def words_and_rolls(rng: np.random.Generator, n: int, n_words: int, low: int, high: int):
    """For each of ``n`` rows, ``rng.integers(0, n_words, size=rng.integers(low, high))`` then
    ``rng.random()``: (n x high-1 array of word numbers, each row's count, the rolls)."""
    out = np.zeros((n, high - 1), dtype=np.int64)
    counts = np.empty(n, dtype=np.int64)
    rolls = np.empty(n)
    _replay(rng, high, _words_and_rolls, n, n_words, low, high, out, counts, rolls)
    return out, counts, rolls
