"""The Telegram channel: python-telegram-bot v22 with plain handlers around the channel-neutral engine."""
