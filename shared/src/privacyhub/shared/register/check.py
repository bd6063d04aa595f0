"""Checking stored documents against the register: nothing may be stored that it does not declare."""

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from privacyhub.shared.register.model import ProcessingRegister


def field_paths(document: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    """Every field of a document as the register names them: `a`, `a.b`, `a[].b`."""
    for name, value in document.items():
        path = f"{prefix}{name}"
        yield path
        if isinstance(value, Mapping):
            yield from field_paths(value, f"{path}.")
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping):
                    yield from field_paths(item, f"{path}[].")


def undeclared_fields(
    register: ProcessingRegister,
    service: str,
    collection: str,
    documents: Iterable[Mapping[str, Any]],
) -> set[str]:
    """The stored fields the register does not declare for this service's collection.

    An undeclared collection reports every field it holds, prefixed with the collection name.
    """
    declared = register.declared_fields(service, collection)
    found = {path for document in documents for path in field_paths(document)}
    if declared is None:
        return {f"{collection}: {path}" for path in found} or {f"{collection}: (collection)"}
    return found - declared
