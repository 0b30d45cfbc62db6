"""The web chat page on ``jifen serve``: a mobile-first page and its JSON API over the channel-neutral engine."""
