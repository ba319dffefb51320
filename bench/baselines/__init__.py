"""The benchmarks' baselines: the same job done directly by the library the tool is built on, each
run as its own process (`python -m bench.baselines.NAME ARGS`) so it pays the same start-up as the
tool. bench/README.md says what each one leaves out and why."""
