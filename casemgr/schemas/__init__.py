"""Marshmallow schemas by feature: one for output, one per input, one for query arguments.

Schemas check shape and format only; rules that need the database or the user live in services.
"""
