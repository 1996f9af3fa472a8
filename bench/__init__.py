"""Benchmarks (``make bench``) and the hand-written baseline client they compare against."""
