"""Audit pages: planning (`planning`) and the conduct of the audit (`conduct`)."""
