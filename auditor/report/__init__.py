"""Renderers: each takes a computed Report and returns text. They never compute."""
