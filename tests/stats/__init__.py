"""Tests of marketplace/stats."""
