"""Input that is well-formed but wrong, told field by field.

Errors are values collected into lists, so whoever checks a document (decoding
it, or validating the settings it makes) reports every problem at once, each
with the path of its field (`targets[2].value`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


class InvalidInput(Exception):
    """A request that is well-formed but invalid; carries every problem found."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = tuple(errors)
