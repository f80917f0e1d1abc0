"""The Telegram adapter: python-telegram-bot's Application, its handlers, transport and webhook."""
