"""Word lists kept as data next to the screening: one entry a line, "#" starts a comment line."""

from importlib.resources import files


def word_list(name: str) -> list[str]:
    """The entries of the named file in this package, in file order."""
    text = (files(__package__) / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
