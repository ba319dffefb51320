"""Tests that try to break the invariants of docs/architecture.md: crashes, overlaps, faults, bad files, leaks."""
