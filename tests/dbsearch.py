from django.db import connection


def columns_containing(text: str) -> list[str]:
    """Every ``table.column`` of the public schema whose text holds ``text``: proves a value is stored nowhere."""
    hits = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND data_type IN ('text', 'character varying', 'jsonb', 'json')"
        )
        for table, column in cursor.fetchall():
            cursor.execute(f'SELECT 1 FROM "{table}" WHERE "{column}"::text LIKE %s LIMIT 1', [f"%{text}%"])
            if cursor.fetchone():
                hits.append(f"{table}.{column}")
    return hits
