"""The data layer: one reader per source, one schema, one typed and cached store.

Raw files (Kaggle zip or folder, 2024 or 2023 layout, or any postings CSV/parquet) are read by
:mod:`~jobmap.data.readers`, typed by :mod:`~jobmap.data.schema` and cached by
:mod:`~jobmap.data.store` as parquet; :func:`load` ties them together.
"""

from jobmap.data.dataset import Dataset, bundled_sample_path, load
from jobmap.data.schema import TABLES, annual_salary

__all__ = ["TABLES", "Dataset", "annual_salary", "bundled_sample_path", "load"]
