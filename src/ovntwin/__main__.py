"""`python -m ovntwin` runs the command-line interface."""

from __future__ import annotations

from ovntwin.cli.main import main

main()
