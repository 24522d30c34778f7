"""Language: English and Hebrew. said.py (`Said`, an English sentence shown
translated), words.py (value words marked for the catalog) and timefmt.py are pure
and used by every layer; language.py installs Flask-Babel and picks each request's
language, so only the composition root and web/ import it.
"""
