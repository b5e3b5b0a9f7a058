"""Reproducible benchmarks for the client and the emulator, run by ``python -m benchmarks``.

Every ratio the suite reports is measured side by side within one run, because the machines
it runs on are shared and absolute times drift from run to run. Servers and load generators
each run in their own process, pinned to their own core where the machine has two or more.
"""
