"""The id a staff command travels under, made from its `Idempotency-Key` header."""

from privacyhub.gateway.idempotency import command_id

ACTION = "POST /v1/staff/complaints/CP-0A1B2C3D4E5F/status"


def test_the_same_staff_member_action_and_key_give_the_same_command_id() -> None:
    first = command_id("dpo-ellen", ACTION, "k-1")
    assert command_id("dpo-ellen", ACTION, "k-1") == first
    assert command_id("dpo-ellen", ACTION, '"k-1"') == first  # as a structured-header string
    assert command_id("dpo-frank", ACTION, "k-1") != first
    assert command_id("dpo-ellen", ACTION.replace("CP-0A", "CP-1A"), "k-1") != first
    assert command_id("dpo-ellen", ACTION, "k-2") != first


def test_without_a_key_every_command_is_new() -> None:
    assert command_id("dpo-ellen", ACTION, None) != command_id("dpo-ellen", ACTION, None)
