"""Audit API: planning viewsets in `planning`, conduct viewsets in `conduct`; core/api_urls.py imports each."""
