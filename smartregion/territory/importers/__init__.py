"""Importers of official open-data files (Statbel population, boundaries) into the territory.

Each importer validates the whole file first, collects every problem with its place in the file, and
writes nothing unless the file is clean; then it writes in one transaction.
"""
