"""Plugins around the core's call path: WS-Security, WS-Addressing and strict mode.

Each imports only the core and fills the core's registries (envelope plugins, fault codes).
"""
