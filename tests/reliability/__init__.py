"""Reliability: faults (killed builds, servers and stores) and properties (hypothesis)."""
