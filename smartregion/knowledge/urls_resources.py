"""Routes of the resources pages (included by urls.py)."""

urlpatterns: list = []
