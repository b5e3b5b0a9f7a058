"""Emulator-only routes: inspect, seed, reset, inject received texts, force statuses."""
