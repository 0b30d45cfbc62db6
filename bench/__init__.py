"""On-demand benchmarks (``python3 dev.py bench``): each module yields rows of one markdown table.

Targets live here, never in unit tests: timings depend on the machine, so they are reported, not asserted.
"""
