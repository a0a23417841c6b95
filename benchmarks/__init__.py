"""Benchmark suites of stream-monitor: ``python -m benchmarks run --profile quick|full``.

* :mod:`benchmarks.scenarios`: seeded numpy generators of drift scenarios with known
  change points;
* :mod:`benchmarks.detection`: runs them through the drift engine and the error-stream
  detector and summarises delays, false alarms, misses and ranking;
* :mod:`benchmarks.binning`: the binning hot path against bare numpy;
* :mod:`benchmarks.report`: writes each suite's section of ``docs/benchmarks.md``.
"""
