"""``jifen serve``: the one HTTP server of every web-facing channel."""
