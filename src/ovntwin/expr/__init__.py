"""The OVN 23.03 match-expression language: lexer, symbol table, Flow state,
parser, canonical formatter, evaluator and ovn-trace microflow parser."""

from __future__ import annotations

from ovntwin.expr.annotate import Annotator
from ovntwin.expr.ast import And, Bool, Cmp, Cond, Expr, Or, Relop
from ovntwin.expr.evaluate import MatchCompiler, Matcher, compile_expr, compile_match, evaluate
from ovntwin.expr.flow import Flow
from ovntwin.expr.format import format_expr, format_ovn
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
from ovntwin.expr.microflow import find_inport, parse_microflow
from ovntwin.expr.parser import parse_expr
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
    "And",
    "Annotator",
    "Bool",
    "Cmp",
    "Cond",
    "Expr",
    "MatchCompiler",
    "Matcher",
    "Or",
    "Relop",
    "compile_expr",
    "compile_match",
    "evaluate",
    "find_inport",
    "format_expr",
    "format_ovn",
    "parse_expr",
    "parse_microflow",
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
