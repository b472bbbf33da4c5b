"""Where a run's steps execute. ``local`` is the pipeline itself (batches in this process);
:mod:`jobmap.engines.raydata` runs the same steps on a Ray cluster with Ray Data."""

from __future__ import annotations
