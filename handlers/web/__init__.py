"""The web chat: the signaler's conversation as plain HTML forms, served by the bot process."""
