"""Retention service: owns retention rules, legal holds and the deletion log (statement §4)."""
