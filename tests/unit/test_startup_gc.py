"""The garbage collector paused for the window's start-up, and given back as it was."""

import gc

import pytest

from stewardship import startup_gc


@pytest.fixture(autouse=True)
def _collector_as_it_was():
    was = gc.isenabled()
    yield
    startup_gc._paused = False
    gc.enable() if was else gc.disable()
    gc.unfreeze()


def test_pause_then_resume_freezes_what_start_up_made_and_collects_again():
    gc.enable()
    startup_gc.pause()
    assert not gc.isenabled()
    made_during_start_up = [[] for _ in range(100)]
    startup_gc.resume()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(made_during_start_up)
    startup_gc.resume()  # the fallback timer after the first paint: nothing more
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()  # e.g. a host process that runs without it
    startup_gc.pause()
    startup_gc.resume()
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0
