"""The baseline for bench/intake.py: a bare Flask app that inserts the JSON body into PostgreSQL."""

from __future__ import annotations

import json
import os

import psycopg
from flask import Flask, request
from psycopg_pool import ConnectionPool

app = Flask(__name__)
pool = ConnectionPool(os.environ["BASELINE_DSN"], min_size=2, max_size=8, open=True)
with pool.connection() as conn:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS baseline_referrals (id bigserial primary key, body jsonb)"
    )


@app.post("/api/v1/referrals")
def create() -> tuple[dict[str, object], int]:
    body = request.get_json()
    with pool.connection() as conn:
        row = conn.execute(
            "INSERT INTO baseline_referrals (body) VALUES (%s) RETURNING id",
            (psycopg.types.json.Jsonb(body),),
        ).fetchone()
    return {"reference": str(row[0] if row else 0), "status": "submitted"}, 201


del json
