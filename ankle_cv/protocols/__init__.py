"""Protocols turn a LandmarkSeries into result dataclasses for one clinical test."""
