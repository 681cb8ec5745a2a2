"""Exit 0 when a PostgreSQL server answers at 127.0.0.1:5432 (used by `make test`)."""

import sys

import psycopg

try:
    psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
except psycopg.Error:
    sys.exit(1)
sys.exit(0)
