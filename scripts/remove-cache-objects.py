"""Takes every object the TypeScript task cache added out of a file of the uniqc package's own
lineage, in one transaction, and leaves what that package made as it was.

Usage: python3 scripts/remove-cache-objects.py ~/.uniqc/cache/tasks.sqlite

Its objects are the ones named tscache_*: listing indexes, row counters and their triggers, and
the table of compiled circuits (those circuits go with it). Stop the cache first: it adds them
again whenever it opens the file.
"""
import sqlite3
import sys


def main(path):
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        # Triggers before the tables they write to, so no write in between can find one missing.
        objects = conn.execute(
            "SELECT type, name FROM sqlite_master WHERE name LIKE 'tscache\\_%' ESCAPE '\\' "
            "AND type IN ('trigger', 'index', 'table') ORDER BY type = 'table', type = 'index'"
        ).fetchall()
        for kind, name in objects:
            conn.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
        conn.execute("COMMIT")
        print(f"removed {len(objects)} objects from {path}")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
