"""The barometer's pages: staff run waves (analyst), communes answer (respondent)."""
