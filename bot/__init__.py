"""Signaalbot: the chat front door of a Signaalpunt tegen Eenzaamheid."""
