"""The run-log pipeline, pure (no I/O of its own): Paperclip's NDJSON log in, readable
transcript entries out.

    reader.py   pages through a log by byte offset (the caller passes `fetch`)
    paging.py   bounds one read (calls, bytes, time); finds the log's end
    cursor.py   where a poll resumes: offset, unfinished line, parser state
    builder.py  records → entries (Paperclip's buildTranscript), tool calls paired
    parsers/    one per adapter type: an agent's JSON line → entries
    entry.py    one entry, its JSON twin and plain-text form
    ansi.py     terminal colours to spans; control characters stripped

Imports only the platform's error types (opsweb.platform_errors) and i18n's pure
words: never the port, Flask, or anything that does I/O.
"""
