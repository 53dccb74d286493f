"""Routes of the glossary pages (included by urls.py)."""

urlpatterns: list = []
