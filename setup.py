"""The build step pyproject.toml cannot declare: the wheel carries the built-in policy
library already parsed (``scanner/_seed``, see ``scanner/lang/seed.py``), so that the first scan
on a fresh machine does not parse it."""

from __future__ import annotations

import os
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py

SEED_CODE = """
import os, sys
sys.path.insert(0, os.environ["PACSCAN_SEED_LIB"])
import scanner
if not os.path.abspath(scanner.__file__).startswith(os.environ["PACSCAN_SEED_LIB"]):
    sys.exit(f"the seed must be written by the scanner package being built, not {scanner.__file__}")
from scanner.policyset.seed import write
print(write(sys.argv[1]), "built-in policy files parsed into", sys.argv[1])
"""


class BuildWithSeed(build_py):
    """``build_py``, then the seed written into the built package (not in editable mode:
    an editable install reads the checkout, and its first run fills the user's cache)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        library = os.path.abspath(self.build_lib)
        target = os.path.join(library, "scanner", "_seed")
        env = {**os.environ, "PACSCAN_SEED_LIB": library, "PACSCAN_NO_CACHE": "1"}
        subprocess.run([sys.executable, "-c", SEED_CODE, target], check=True, env=env)


setup(cmdclass={"build_py": BuildWithSeed})
