"""`python -m qcsync`: the same entry point as the `qcsync` console script."""

from qcsync.cli import main

main()
