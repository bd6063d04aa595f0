"""What a consent copy holds of its visitors stays bounded, and never answers for one it dropped."""

from privacyhub.consent.visitor_state import KnownVisitor, VisitorStates


def test_a_forgotten_visitor_is_looked_up_again_and_the_others_are_not() -> None:
    states = VisitorStates(capacity=3)
    states.replace({"held": KnownVisitor()}, complete=True)

    states.forget(["held"])

    assert states.needs_lookup("held")
    assert not states.needs_lookup("never-chose")


def test_forgetting_more_visitors_than_it_may_hold_looks_every_unheld_visitor_up() -> None:
    states = VisitorStates(capacity=2)
    states.replace({}, complete=True)

    states.forget(["first", "second", "third"])

    assert not states.complete
    assert all(states.needs_lookup(v) for v in ("first", "second", "third", "never-chose"))


def test_a_visitor_put_back_after_being_forgotten_is_answered_from_memory() -> None:
    states = VisitorStates(capacity=2)
    states.replace({}, complete=True)
    states.forget(["returning"])

    states.put("returning", KnownVisitor(restricted=True))

    assert not states.needs_lookup("returning")
    assert states.get("returning") == KnownVisitor(restricted=True)
