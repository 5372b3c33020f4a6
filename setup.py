"""Packaging that pyproject.toml cannot say: the top-level templates/ and static/ travel in the wheel
as app/templates and app/static (app/web/assets.py finds them in either place)."""
from setuptools import find_packages, setup

ASSETS = {"app.templates": "templates", "app.static": "static"}

setup(
    packages=find_packages(include=["app*", "worker*", "labkit*"]) + list(ASSETS),
    package_dir=ASSETS,
    package_data={package: ["**/*"] for package in ASSETS},
)
