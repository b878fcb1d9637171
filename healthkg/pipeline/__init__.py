"""Runtime pipeline code shipped inside the packaged model.

Every module here is copied flat into the model package by `spacy package --code`, so modules
import each other only relatively (``from .schema import ...``), with a fallback to the
``healthkg.pipeline`` path for the moment when `spacy package` imports a file on its own.
"""
