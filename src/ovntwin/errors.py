"""The ovntwin exception tree. Catch `OvnTwinError` to catch them all.

OvnTwinError
├── ModelError
│   ├── NotFound
│   ├── AlreadyExists
│   └── InvalidValue
├── LoadError              (a file, database or remote could not be read)
├── ExprError
│   ├── ExprSyntaxError    (carries the text and the column of the fault)
│   └── ExprTypeError
├── CompileError
└── TraceError
"""

from __future__ import annotations


class OvnTwinError(Exception):
    """Root of every error ovntwin raises on purpose."""


class ModelError(OvnTwinError):
    pass


class NotFound(ModelError):
    pass


class AlreadyExists(ModelError):
    pass


class InvalidValue(ModelError):
    pass


class LoadError(OvnTwinError):
    """Input that cannot be loaded; the message names the file/remote and the place."""


class ExprError(OvnTwinError):
    pass


class ExprSyntaxError(ExprError):
    """A match/action parse error at a 0-based column of `text`."""

    def __init__(self, message: str, text: str = "", column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.text = text
        self.column = column

    def render(self) -> str:
        """The message, then the expression with a caret under the faulty column."""
        if self.column is None or not self.text:
            return self.message
        return f"{self.message}\n{self.text}\n{' ' * self.column}^"


class ExprTypeError(ExprError):
    pass


class CompileError(OvnTwinError):
    pass


class TraceError(OvnTwinError):
    pass
