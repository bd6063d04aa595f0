"""The local runner's back-off between restarts of a process that keeps dying."""

from privacyhub.localinfra.supervision import MAX_DELAY_SECONDS, STEADY_SECONDS, Restarts


def test_each_quick_crash_waits_twice_as_long_up_to_the_maximum() -> None:
    restarts, now, waits = Restarts(started_at=0.0), 0.0, []
    for _ in range(9):
        now += 5  # dies five seconds after each start
        waits.append(restarts.crashed(now))
        assert not restarts.due(now)
        now += waits[-1]
        assert restarts.due(now)
        restarts.restarted(now)
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert max(waits) == MAX_DELAY_SECONDS


def test_a_process_that_ran_steadily_is_restarted_after_the_first_delay_again() -> None:
    restarts = Restarts(started_at=0.0)
    for crash in (1.0, 4.0, 10.0):
        restarts.crashed(crash)
        restarts.restarted(crash + 1)
    assert restarts.crashed(11 + STEADY_SECONDS) == 1
