"""The ``signaalbot`` command line (Typer): run, chat, admin, postcodes, reports."""
