"""JavaScript tools the tests need (axe-core, ical.js), installed from the npm registry on first use.

They go into `.cache/node` in the project (ignored by git), never into the repository, and are
installed once per machine; a lock keeps parallel test processes from installing twice.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_DIR = ROOT / ".cache" / "node"
PACKAGES = {"axe-core": "4.10", "ical.js": "2.2"}


def node_modules() -> Path:
    """The node_modules folder holding every package in PACKAGES (installing what is missing)."""
    modules = NODE_DIR / "node_modules"
    missing = [name for name in PACKAGES if not (modules / name / "package.json").exists()]
    if not missing:
        return modules
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to install " + ", ".join(missing) + " for the tests")
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    with open(NODE_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        still_missing = [name for name in PACKAGES if not (modules / name / "package.json").exists()]
        if still_missing:
            specs = [f"{name}@~{PACKAGES[name]}" for name in PACKAGES]
            subprocess.run(  # noqa: S603 - fixed arguments, no shell
                [npm, "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(NODE_DIR), *specs],
                check=True,
                env={**os.environ, "npm_config_update_notifier": "false"},
                timeout=600,
            )
    return modules
