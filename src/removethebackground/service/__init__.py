"""The ASMX service side: request routing, request reading, answer and fault rendering.

Used by the sandbox and the stubber; never imported by the client core.
"""
