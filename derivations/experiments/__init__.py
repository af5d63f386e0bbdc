"""Experiments whose results pages show (training runs), with their on-disk caches."""
