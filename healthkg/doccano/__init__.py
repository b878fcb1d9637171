"""The annotation loop with a local doccano server.

doccano 1.8.4 and doccano-client 1.2.8 each live in their own virtual environment (they need
different pydantic versions, and the main environment has spaCy with pydantic 2). This package runs
in the main environment: it installs and starts the server, converts paragraphs to and from doccano's
relation JSONL, validates and merges pulled annotations, and talks to the server through
`client_side.py`, which runs in the client environment and exchanges JSON files with us.
"""
