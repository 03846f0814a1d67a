"""Shared pipeline, schema, config, retry and analysis helpers."""
