"""The demo's replayed per-track draws (modelprep.demo.replay) against numpy's own calls."""

import numpy as np
import pytest

from modelprep.demo import replay

pytestmark = pytest.mark.unit
# PCG64: state = state * MULTIPLIER + increment (mod 2**128), then the output function.
MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341
MODULUS = 1 << 128


def numpy_samples(rng, n):
    return [list(rng.choice(14, size=rng.integers(1, 6), replace=False)) for _ in range(n)]


def numpy_words_and_rolls(rng, n):
    return [(list(rng.integers(0, 30, size=rng.integers(1, 5))), rng.random()) for _ in range(n)]


def replayed_samples(rng, n):
    chosen, counts = replay.samples(rng, n, 14, 1, 6)
    return [list(row[:count]) for row, count in zip(chosen, counts, strict=True)]


def replayed_words_and_rolls(rng, n):
    numbers, counts, rolls = replay.words_and_rolls(rng, n, 30, 1, 5)
    rows = zip(numbers, counts, rolls, strict=True)
    return [(list(row[:count]), roll) for row, count, roll in rows]


PAIRS = [
    (numpy_samples, replayed_samples),
    (numpy_words_and_rolls, replayed_words_and_rolls),
]


def same_generators(make, argument, lead: int):
    """Two generators ``make(argument)``, each after ``lead`` 32-bit draws (an odd number
    leaves the high half of an output waiting)."""
    pair = [make(argument), make(argument)]
    for rng in pair:
        rng.integers(0, 7, lead)
    return pair


@pytest.mark.parametrize(("with_numpy", "replayed"), PAIRS)
@pytest.mark.parametrize("lead", [0, 1])
def test_replay_draws_what_numpy_draws_and_leaves_the_generator_as_numpy_does(
    with_numpy, replayed, lead
):
    for seed in range(6):
        expected, actual = same_generators(np.random.default_rng, seed, lead)
        assert replayed(actual, 2000) == with_numpy(expected, 2000)
        assert actual.bit_generator.state == expected.bit_generator.state
        assert actual.integers(0, 7, 3).tolist() == expected.integers(0, 7, 3).tolist()


def zero_output_at(after: int) -> np.random.Generator:
    """A generator whose output number ``after`` (from 0) is 0: both its 32-bit halves fall in
    the few values numpy's bounded integers reject and draw again (probability ~1e-9)."""
    increment = np.random.PCG64(1).state["state"]["inc"]
    high = 0x0123456789ABCDEF  # top six bits 0: the output rotates by 0, high ^ low = 0
    state = (high << 64) | high
    for _ in range(after + 1):  # step back to the state before that output
        state = (state - increment) * pow(MULTIPLIER, -1, MODULUS) % MODULUS
    rng = np.random.default_rng(0)
    rng.bit_generator.state = {
        "bit_generator": "PCG64",
        "state": {"state": state, "inc": increment},
        "has_uint32": 0,
        "uinteger": 0,
    }
    return rng


def test_the_crafted_generator_gives_a_zero_output():
    outputs = zero_output_at(2).bit_generator.random_raw(3)
    assert outputs[2] == 0 and outputs[:2].all()


@pytest.mark.parametrize(("with_numpy", "replayed"), PAIRS)
@pytest.mark.parametrize("lead", [0, 1])
def test_replay_redraws_where_numpy_rejects_a_draw(with_numpy, replayed, lead):
    for after in range(8):  # the zero output lands on each kind of draw in turn
        expected, actual = same_generators(zero_output_at, after, lead)
        assert replayed(actual, 6) == with_numpy(expected, 6), after
        assert actual.bit_generator.state == expected.bit_generator.state
