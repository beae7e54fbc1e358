"""Textbook bargaining protocols beside the mediated model.

Alternating offers (Rubinstein) and monotonic concession (Zeuthen).
"""
