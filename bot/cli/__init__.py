"""The ``jifen`` command: one module per sub-command (``main`` parses the arguments and dispatches).

Kept apart from the channels so that a command-line concern (argument parsing, exit codes, one-line errors)
never leaks into the adapters that serve users.
"""
