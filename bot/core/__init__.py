"""The channel-neutral core: questionnaire engine, signal lifecycle, routing and the use cases.

Nothing here imports a channel (``telegram``, ``handlers``) or SQLAlchemy; storage is reached
through the unit of work the composition root hands in.
"""
