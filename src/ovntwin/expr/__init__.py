"""The OVN 23.03 match-expression language: lexer, symbol table, Flow state,
parser, canonical formatter, evaluator and ovn-trace microflow parser."""

from __future__ import annotations

from ovntwin.expr.flow import Flow
from ovntwin.expr.lexer import (
    Token,
    TokenKind,
    ValueFormat,
    format_integer,
    format_masked,
    format_string,
    format_token,
    syntax_error,
    tokenize,
)
from ovntwin.expr.symtab import (
    STORAGE_WIDTHS,
    FieldRef,
    Level,
    Symbol,
    SymbolKind,
    SymbolTable,
    WriteScope,
    default_symtab,
)

__all__ = [
    "STORAGE_WIDTHS",
    "FieldRef",
    "Flow",
    "Level",
    "Symbol",
    "SymbolKind",
    "SymbolTable",
    "Token",
    "TokenKind",
    "ValueFormat",
    "WriteScope",
    "default_symtab",
    "format_integer",
    "format_masked",
    "format_string",
    "format_token",
    "syntax_error",
    "tokenize",
]
