"""Test doubles for the Telegram channel: a fake Bot API server the real PTB client talks HTTP to."""
