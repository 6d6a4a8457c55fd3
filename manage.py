#!/usr/bin/env python
"""Django's command-line utility; ``zhaoyin`` is the installed equivalent."""

import sys

from zhaoyin.cli import main

if __name__ == "__main__":
    sys.exit(main())
