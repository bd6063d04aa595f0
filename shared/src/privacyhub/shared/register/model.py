"""What the processing register holds, validated so that every reference points somewhere."""

from datetime import timedelta
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

LegalBasis = Literal["consent", "contract", "legitimate_interest", "legal_obligation"]


class Declared(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Controller(Declared):
    name: str
    chamber_of_commerce: str
    privacy_contact: str


class Purpose(Declared):
    id: str
    name: str
    legal_basis: LegalBasis
    statement_section: str = Field(description="Where the privacy statement promises it.")
    description: str


class Retention(Declared):
    period: timedelta = Field(description="ISO 8601 duration after `starts`.")
    starts: str = Field(description="The event that starts the period.")
    reason: str = Field(description="Why this period, in a sentence a DPO can defend.")


class Store(Declared):
    """Where a category lives: a service's own database, one collection, the fields it may hold."""

    service: Literal["consent", "contact", "requests", "retention"]
    collection: str
    fields: tuple[str, ...] = Field(
        description="Top-level field names; `a.b` for a nested field, `a[]` for list items."
    )


class DataCategory(Declared):
    id: str
    name: str
    personal_data: bool
    data_subjects: str
    purposes: tuple[str, ...]
    retention: Retention
    stored_in: tuple[Store, ...]
    recipients: tuple[str, ...] = ()


class Recipient(Declared):
    id: str
    name: str
    kind: Literal["group_company", "support_partner"]
    purpose: str
    location: str
    inside_eu: bool
    transfer_safeguard: str | None = Field(
        default=None, description="Required outside the EU: adequacy decision or SCCs."
    )
    agreement_reference: str
    fields: tuple[str, ...] = Field(
        description="The only fields it receives, in its own names (`reply_to` is the e-mail address)."
    )
    topic: str = Field(description="The declared topic it reads, which carries nothing else.")

    @model_validator(mode="after")
    def safeguard_outside_the_eu(self) -> Self:
        if not self.inside_eu and not self.transfer_safeguard:
            raise ValueError(f"recipient {self.id} is outside the EU without a transfer safeguard")
        return self


class TopicDeclaration(Declared):
    name: str
    retention: timedelta
    carries_personal_data: bool
    categories: tuple[str, ...] = ()


class ProcessingRegister(Declared):
    controller: Controller
    purposes: tuple[Purpose, ...]
    categories: tuple[DataCategory, ...]
    recipients: tuple[Recipient, ...] = ()
    topics: tuple[TopicDeclaration, ...]

    @model_validator(mode="after")
    def references_resolve(self) -> Self:
        purposes = {p.id for p in self.purposes}
        categories = {c.id for c in self.categories}
        recipients = {r.id for r in self.recipients}
        for category in self.categories:
            if missing := set(category.purposes) - purposes:
                raise ValueError(f"category {category.id} names unknown purposes {sorted(missing)}")
            if missing := set(category.recipients) - recipients:
                raise ValueError(
                    f"category {category.id} names unknown recipients {sorted(missing)}"
                )
        for topic in self.topics:
            if missing := set(topic.categories) - categories:
                raise ValueError(f"topic {topic.name} names unknown categories {sorted(missing)}")
        topics = {t.name for t in self.topics}
        for recipient in self.recipients:
            if recipient.topic not in topics:
                raise ValueError(
                    f"recipient {recipient.id} reads undeclared topic {recipient.topic}"
                )
        return self

    def recipient(self, recipient_id: str) -> Recipient:
        """The declared recipient; anyone else gets nothing (KeyError)."""
        for recipient in self.recipients:
            if recipient.id == recipient_id:
                return recipient
        raise KeyError(f"recipient {recipient_id} is not declared in the processing register")

    def recipients_of(self, category_id: str) -> tuple[Recipient, ...]:
        """The recipients the register declares for a data category."""
        category = next(c for c in self.categories if c.id == category_id)
        return tuple(self.recipient(recipient_id) for recipient_id in category.recipients)

    def topic(self, name: str) -> TopicDeclaration:
        for topic in self.topics:
            if topic.name == name:
                return topic
        raise KeyError(f"topic {name} is not declared in the processing register")

    def declared_fields(self, service: str, collection: str) -> frozenset[str] | None:
        """Every field a service may store in a collection; None when the collection is undeclared."""
        found = [
            field
            for category in self.categories
            for store in category.stored_in
            if store.service == service and store.collection == collection
            for field in store.fields
        ]
        return frozenset(found) if found else None
