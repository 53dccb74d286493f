"""The barometer's pages: analysts' wave management (analyst) and communes' answering (respondent)."""
