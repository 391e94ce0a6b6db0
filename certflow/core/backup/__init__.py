"""`certflow backup` / `certflow restore`: database + stored files + a manifest of checksums (decisions LG5–LG9)."""
