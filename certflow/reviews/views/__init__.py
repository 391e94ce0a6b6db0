"""Pages of the document review and the nonconformity loop: parse → permission helper → one service call."""
