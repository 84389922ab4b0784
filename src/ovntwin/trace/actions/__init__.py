"""The OVN action language: AST, parser and the ovn-trace/ovn-controller formatter."""

from __future__ import annotations

from ovntwin.trace.actions.ast import Action, Field, format_actions
from ovntwin.trace.actions.parser import ParsedActions, parse_actions

__all__ = ["Action", "Field", "ParsedActions", "format_actions", "parse_actions"]
