"""Issue 19: `make test` installs the Debian packages it needs from one list shared with
`.ci/run`; once they are there, a second run installs nothing and prints nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "tools" / "system_packages.sh"


def test_with_every_package_present_the_check_is_quiet_and_succeeds() -> None:
    # make test has just run this script, so every package is present on this machine.
    proc = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr == ""


def test_ci_and_make_test_share_the_one_package_list() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    makefile = (REPO / "Makefile").read_text()
    assert "PACKAGES=(" not in ci
    assert "tools/system_packages.sh" in ci
    assert "tools/system_packages.sh" in makefile
    assert "test: system-packages install" in makefile
