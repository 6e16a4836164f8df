"""The switches (no_grad, detect_anomaly, count_ops, the transforms' float guard) belong to
the thread or asyncio task that turns them on, and restore the previous state on exit."""

import asyncio
import math
import threading

import pytest

import tinygrad_edu as tg
from tinygrad_edu import Value, engine
from tinygrad_edu.forward import count_ops

REPEATS = 1000


def run_in_lockstep(*steps_per_thread):
    """Run each list of steps in its own thread; step k of every thread runs before step k+1 of any.

    Returns what each thread's steps returned, and re-raises the first failure.
    """
    rounds = max(len(steps) for steps in steps_per_thread)
    barrier = threading.Barrier(len(steps_per_thread))
    results = [[] for _ in steps_per_thread]
    errors = []

    def worker(i, steps):
        try:
            for k in range(rounds):
                if k < len(steps):
                    results[i].append(steps[k]())
                barrier.wait(timeout=10)
        except BaseException as error:   # noqa: BLE001 -- handed to the main thread
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(i, steps))
               for i, steps in enumerate(steps_per_thread)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def records():
    """Does an op made now, in this thread, record its graph and get a gradient?"""
    x = Value(3.0)
    y = x * x
    if not y.children:
        return False
    y.backward()
    return x.grad == 6.0


def test_no_grad_in_one_thread_leaves_another_recording():
    for _ in range(REPEATS):
        block = tg.no_grad()
        a, b = run_in_lockstep(
            [block.__enter__, lambda: None, lambda: block.__exit__(None, None, None)],
            [lambda: None, records, lambda: None])
        assert b[1] is True
        assert records() and tg.is_grad_enabled()


def test_overlapping_no_grad_blocks_in_two_threads_restore_recording():
    # A enters, B enters, A leaves, B leaves: a process-wide flag would stay off.
    for _ in range(REPEATS):
        first, second = tg.no_grad(), tg.no_grad()
        a, b = run_in_lockstep(
            [first.__enter__, lambda: None, lambda: first.__exit__(None, None, None), records],
            [lambda: None, second.__enter__, lambda: (records(), tg.is_grad_enabled()),
             lambda: second.__exit__(None, None, None), records])
        assert a[-1] is True                     # A records again after its own block
        assert b[2] == (False, False)            # B is still inside its block
        assert b[-1] is True
    assert records() and tg.is_grad_enabled()
    assert engine._switches_on == 0 and not engine._special


def test_count_ops_counts_only_its_own_thread():
    for _ in range(REPEATS):
        counting = count_ops()
        holder = {}
        run_in_lockstep(
            [lambda: holder.setdefault("count", counting.__enter__()),
             lambda: Value(1.0) + 2.0, lambda: counting.__exit__(None, None, None)],
            [lambda: None, lambda: Value(1.0) * 2.0 * 3.0 * 4.0, lambda: None])
        assert holder["count"].ops == 1
        assert dict(holder["count"].by_op) == {"+": 1}


def test_detect_anomaly_in_one_thread_does_not_raise_in_another():
    def overflow_quietly():
        return (Value(1e308) * 10).data

    for _ in range(REPEATS):
        block = tg.detect_anomaly()
        caught = []

        def overflow_loudly():
            with pytest.raises(FloatingPointError, match="detect_anomaly"):
                Value(1e308) * 10
            caught.append(True)

        a, b = run_in_lockstep(
            [block.__enter__, overflow_loudly, lambda: block.__exit__(None, None, None)],
            [lambda: None, overflow_quietly, lambda: None])
        assert b[1] == math.inf and caught == [True]


def test_a_transform_in_one_thread_does_not_change_another():
    # While thread A is inside grad(f), thread B's float(v) is allowed and its grad
    # returns a plain float (it is not nested in A's transform).
    for _ in range(REPEATS // 10):
        inside, leave = threading.Event(), threading.Event()
        seen = {}

        def slow_square(x):
            inside.set()
            leave.wait(timeout=10)
            return x * x

        def thread_a():
            seen["a"] = tg.grad(slow_square)(3.0)

        t = threading.Thread(target=thread_a)
        t.start()
        inside.wait(timeout=10)
        seen["float"] = float(Value(2.0) * 2)
        seen["b"] = tg.grad(lambda x: x * x * x)(2.0)
        leave.set()
        t.join()
        assert seen == {"a": 6.0, "float": 4.0, "b": 12.0}
        assert type(seen["b"]) is float


def test_asyncio_tasks_have_their_own_switches():
    async def quiet(started, done):
        with tg.no_grad():
            started.set()
            await done.wait()
            return records()

    async def loud(started, done):
        await started.wait()
        result = records()
        done.set()
        return result

    async def both():
        started, done = asyncio.Event(), asyncio.Event()
        return await asyncio.gather(quiet(started, done), loud(started, done))

    for _ in range(100):
        assert asyncio.run(both()) == [False, True]
    assert records()


def test_nested_switches_restore_the_outer_state():
    with tg.no_grad():
        with tg.no_grad():
            assert not tg.is_grad_enabled()
        assert not tg.is_grad_enabled() and not records()
    assert tg.is_grad_enabled() and records()
    with tg.detect_anomaly():
        with tg.detect_anomaly():
            pass
        with pytest.raises(FloatingPointError):
            Value(1e308) * 10
    assert (Value(1e308) * 10).data == math.inf
    with count_ops() as outer:
        with count_ops() as inner:
            Value(1.0) * 2
        Value(1.0) * 2
    assert (outer.ops, inner.ops) == (2, 1)
    assert engine._switches_on == 0


def test_a_switch_left_by_an_exception_is_restored():
    with pytest.raises(KeyError):
        with tg.no_grad():
            raise KeyError("boom")
    assert tg.is_grad_enabled() and engine._switches_on == 0


def test_removing_an_observer_that_is_not_there_is_an_error():
    with pytest.raises(ValueError, match="not observing this thread"):
        engine.remove_observer(object())
