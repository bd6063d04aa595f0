"""Routes named by their template, the form Litestar matched a request to."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RouteTemplates:
    """Exact route templates, and every template below one of `below` (each ends with `/`).

    Matching is by the matched route's template, never by a substring of the requested path:
    a path parameter (a visitor id holding "health", say) cannot make a route look like another.
    """

    exact: frozenset[str]
    below: tuple[str, ...] = ()

    def cover(self, template: str) -> bool:
        return template in self.exact or template.startswith(self.below)


OPERATIONS = RouteTemplates(
    exact=frozenset({"/health", "/ready", "/metrics", "/schema"}), below=("/schema/",)
)
"""Health, readiness, metrics and the OpenAPI document: neither rate limited nor measured."""
