"""Impact analysis: what a scheme does to its neighbours' sunlight, daylight and views.

A compute package beside :mod:`tiles` (whose meshing it shares) and independent of the backend:
a :class:`~impact.scene.Scene` of triangle meshes, sun positions from NREL's SPA
(:mod:`impact.sun`), vectorised ray casting, and the BRE 209 (2022) tests on the results
(:mod:`impact.daylight`, :mod:`impact.sunlight`, :mod:`impact.ground`, :mod:`impact.views`),
combined into a before/after study by :mod:`impact.study`. See ``docs/impact.md``.
"""
