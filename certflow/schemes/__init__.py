"""Scheme files (data): one YAML file per scheme version, loaded by certflow.core.schemes."""
