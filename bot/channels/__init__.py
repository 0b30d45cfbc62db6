"""Channel adapters: each turns its input into an ``Inbound`` for the engine and renders the ``Outbound``s.

One module or package per channel (the terminal today, Telegram; WeChat and the web page next), so a new
channel has an obvious home and the engine never learns which one it is serving.
"""
