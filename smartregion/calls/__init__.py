"""Calls for projects: eligibility, applications, jury, evaluation, ranking runs, follow-up."""
