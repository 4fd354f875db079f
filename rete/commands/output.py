"""The consoles every command prints through.

Tables go to stdout, progress and messages to stderr. When stdout is not a terminal (a pipe, a file,
a CI log) rich would wrap tables at 80 columns and truncate cells; a wide fixed width keeps them whole.
"""

from __future__ import annotations

import sys

from rich.console import Console

PIPED_WIDTH = 160

stdout = Console(highlight=False, width=None if sys.stdout.isatty() else PIPED_WIDTH)
stderr = Console(stderr=True, highlight=False)
