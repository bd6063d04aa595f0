"""Assembles the reference support-partner tool.

It logs in as `partner-support`, which may only read PARTNER_SUPPORT and answer on PARTNER_RESULTS.
Shared questions are kept encrypted per subject (questions.py), under key-encryption keys of its
own (`PARTNER_KEY_ENCRYPTION_KEYS`); erasure, rectification, restriction, objection and export
are carried out on them (handlers.py).
"""

from privacyhub.partner.handlers import register_handlers
from privacyhub.partner.questions import SharedQuestions
from privacyhub.partner.settings import PartnerSettings
from privacyhub.shared.clock import Clock
from privacyhub.shared.crypto import subject_keys_for
from privacyhub.shared.envelope import utc_now
from privacyhub.shared.service import ServiceRuntime


def create_runtime(
    settings: PartnerSettings | None = None, *, clock: Clock = utc_now
) -> ServiceRuntime:
    """`clock` dates receipts and changes; tests may pass one they control."""
    runtime = ServiceRuntime(settings or PartnerSettings(), name="partner-support")
    questions = SharedQuestions(runtime.db, subject_keys_for(runtime))
    runtime.on_startup(questions.ensure_indexes)
    register_handlers(runtime, questions, clock)
    return runtime
