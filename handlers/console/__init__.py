"""The console channel: a signaler's terminal chat (``signaalbot chat``) and the staff terminal."""
