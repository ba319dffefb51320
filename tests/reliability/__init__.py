"""Tests that try to break design.md section 2: crashes, overlaps, faults, bad files, leaks."""
