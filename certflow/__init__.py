"""certflow: the operating system of a certification body for custom-goods service certification."""
