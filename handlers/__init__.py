"""Thin channel adapters: Telegram handlers render prompts and feed inputs to the engine."""
