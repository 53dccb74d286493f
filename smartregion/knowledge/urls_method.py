"""Routes of the method pages (included by urls.py)."""

urlpatterns: list = []
